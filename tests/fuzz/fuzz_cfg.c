/* fuzz_cfg.c: libFuzzer target for the configuration loader: libconfig, the schema walk, the semantic checks, the dump. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "fuzz_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_diag	 diag;
	struct cfg	*cfg = NULL;
	char		*text;
	FILE		*null;

	if (size > 65536)
		return 0;
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* libconfig would read the named file: that is the file system's
	 * content, not the parser's input */
	if (strstr(text, "@include") != NULL) {
		free(text);
		return 0;
	}
	cfg_diag_init(&diag);
	if (cfg_load_string(text, "fuzz.conf", &cfg, &diag) == 0) {
		if ((null = fopen("/dev/null", "w")) != NULL) {
			cfg_dump(cfg, null);
			fclose(null);
		}
		cfg_unref(cfg);
	}
	cfg_diag_free(&diag);
	free(text);
	return 0;
}
