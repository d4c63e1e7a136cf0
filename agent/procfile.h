/*
 * procfile.h - read a kernel text file (/proc, /sys) again and again cheaply.
 *
 * A procfile opens its path once and re-reads it with pread() from offset 0
 * into a buffer it owns, so a steady-state read costs one system call and no
 * allocation: the buffer only grows (doubling) when the file's text outgrows
 * it, and is kept for the next read. /proc files are generated on read, so
 * pread at offset 0 always yields a fresh snapshot.
 *
 * When a read fails (the file vanished, e.g. an interface's sysfs directory
 * or a process's /proc/PID entry) the descriptor is closed and the next read
 * reopens the path; callers simply see -1 for that read.
 *
 * Invariant: after a successful procfile_read the buffer holds the whole file
 * (up to PROCFILE_MAX bytes) followed by a NUL, so parsers may use string
 * functions on it.
 */
#ifndef NODELINK_PROCFILE_H
#define NODELINK_PROCFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Largest file text read (a /proc/stat of a 4096-CPU host fits). */
#define PROCFILE_MAX (16u * 1024u * 1024u)

typedef struct procfile_t procfile_t;

/* Creates a reader for path (copied). The file is opened lazily on the first
 * read, so a missing file is not an error here. NULL on allocation failure. */
procfile_t *procfile_new(const char *path);

/* Creates a reader for root + "/" + rel, e.g. ("/proc", "stat"). */
procfile_t *procfile_new_at(const char *root, const char *rel);

/* Closes the file, frees the buffer and NULLs *self. Safe on NULL. */
void procfile_destroy(procfile_t **self);

/* Reads the whole file. Returns its length (>= 0) and sets *text to the
 * NUL-terminated text, borrowed until the next read or destroy; -1 when the
 * file cannot be opened or read (errno set). */
long procfile_read(procfile_t *self, const char **text);

/* True when the kernel flagged the open file as changed since the last read
 * (poll() reports POLLPRI/POLLERR on /proc/PID/mountinfo when the mount
 * table changes). Also true when the file is not open yet. Costs one poll()
 * with a zero timeout. */
bool procfile_changed(procfile_t *self);

/* The path this reader reads. */
const char *procfile_path(const procfile_t *self);

/* Reads a small file once (open, read, close) into buf (NUL-terminated,
 * trailing newline removed). Returns the length or -1. For sysfs attributes
 * read rarely (system information), where keeping a descriptor is waste. */
long procfile_slurp(const char *path, char *buf, size_t size);

#endif
