/* reload.h: the running configuration snapshot and the all-or-nothing reload. */
#ifndef SBCD_RELOAD_H
#define SBCD_RELOAD_H

#include <time.h>

struct cfg;
struct cfg_diag;

/*
 * Modules that own runtime objects built from the configuration (listeners,
 * proxy health state, ...) register hooks.  On reload every prepare runs
 * against the new snapshot first; it builds what the new snapshot needs,
 * matching old objects by name so they are kept, and may fail (a port that
 * cannot be bound), appending to diag.  If any prepare fails, abort runs on
 * those already prepared and the running configuration stays.  Otherwise
 * commit runs on all, in registration order, then the snapshot is swapped.
 */
struct reload_hooks {
	const char	*name;
	int		(*prepare)(struct cfg *next, struct cfg_diag *diag);
	void		(*commit)(struct cfg *prev, struct cfg *next);
	void		(*abort)(struct cfg *next);
};

struct reload_status {
	time_t		 loaded_at;	/* when the running snapshot was loaded */
	time_t		 last_attempt;	/* last reload, 0 when none */
	int		 last_ok;	/* outcome of the last reload */
	unsigned	 reloads_ok, reloads_failed;
	size_t		 last_errors;	/* error count of the last failed reload */
};

/* Register hooks (kept by reference); at most 16. */
void reload_register(const struct reload_hooks *hooks);

/*
 * Install the first snapshot (the reference is taken over) after running
 * every prepare and commit with prev = NULL.  0 or an errno; on failure the
 * problems are in diag and the reference is dropped.
 */
int reload_start(const char *path, struct cfg *cfg, struct cfg_diag *diag);

/* Reload the file given to reload_start.  0, or EINVAL with diag filled. */
int reload_run(struct cfg_diag *diag);

/* The running snapshot (borrowed; take a cfg_ref to keep it). */
struct cfg *reload_current(void);
const struct reload_status *reload_status(void);

/* Drop the running snapshot (commit(prev, NULL) on every hook). */
void reload_fini(void);

#endif
