/* reload.c: build a new snapshot beside the running one, prepare, then swap or keep the old. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "log.h"
#include "reload.h"

#define MAX_HOOKS 16

static const struct reload_hooks	*hooks[MAX_HOOKS];
static size_t				 nhooks;
static struct cfg			*running;
static char				*cfg_path;
static struct reload_status		 status;

void
reload_register(const struct reload_hooks *h)
{
	if (nhooks < MAX_HOOKS)
		hooks[nhooks++] = h;
	else
		log_err("reload: too many hook sets, %s ignored", h->name);
}

/* Prepare every hook for next; on failure abort those prepared.  0 or errno. */
static int
prepare_all(struct cfg *next, struct cfg_diag *diag)
{
	size_t	i;
	int	err = 0;

	for (i = 0; i < nhooks; i++) {
		if (hooks[i]->prepare == NULL)
			continue;
		err = hooks[i]->prepare(next, diag);
		if (err)
			break;
	}
	if (err) {
		while (i-- > 0)
			if (hooks[i]->abort != NULL)
				hooks[i]->abort(next);
	}
	return err;
}

static void
commit_all(struct cfg *prev, struct cfg *next)
{
	for (size_t i = 0; i < nhooks; i++)
		if (hooks[i]->commit != NULL)
			hooks[i]->commit(prev, next);
}

int
reload_start(const char *path, struct cfg *cfg, struct cfg_diag *diag)
{
	int err;

	free(cfg_path);
	/* absolute, so that a later chdir cannot change what a reload reads */
	if ((cfg_path = realpath(path, NULL)) == NULL && (cfg_path = strdup(path)) == NULL) {
		cfg_unref(cfg);
		return ENOMEM;
	}
	err = prepare_all(cfg, diag);
	if (err) {
		cfg_unref(cfg);
		return err;
	}
	commit_all(NULL, cfg);
	running = cfg;
	status.loaded_at = time(NULL);
	return 0;
}

int
reload_run(struct cfg_diag *diag)
{
	struct cfg	*next, *prev;
	size_t		 first = diag->n;
	int		 err;

	status.last_attempt = time(NULL);
	log_debug("reload: loading %s", cfg_path);
	err = cfg_load(cfg_path, &next, diag);
	if (err == 0) {
		cfg_keep_restart_keys(running, next, diag);
		err = prepare_all(next, diag);
		if (err)
			next = cfg_unref(next);
	}
	if (err) {
		status.last_ok = 0;
		status.reloads_failed++;
		status.last_errors = diag->n - first;
		return EINVAL;
	}
	commit_all(running, next);
	prev = running;
	running = next;
	/* calls still holding prev keep it alive until they end */
	cfg_unref(prev);
	log_debug("reload: %zu SIP interfaces, %zu proxy sets, %zu IP groups, %zu routes",
	    next->n_sip_interfaces, next->n_proxy_sets, next->n_ip_groups, next->n_routes);
	status.loaded_at = time(NULL);
	status.last_ok = 1;
	status.last_errors = 0;
	status.reloads_ok++;
	return 0;
}

struct cfg *
reload_current(void)
{
	return running;
}

const struct reload_status *
reload_status(void)
{
	return &status;
}

void
reload_fini(void)
{
	if (running != NULL)
		commit_all(running, NULL);
	running = cfg_unref(running);
	free(cfg_path);
	cfg_path = NULL;
}
