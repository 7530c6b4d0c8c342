// C shims for what Swift cannot import: function-like macros (AVERROR), variadic functions
// (av_log callbacks) and Linux calls whose structs or syscall numbers are hidden behind
// _GNU_SOURCE (struct ucred, openat2, renameat2). Every symbol carries the cadiff_ prefix.
#ifndef CADIFF_SHIMS_H
#define CADIFF_SHIMS_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---- FFmpeg ----------------------------------------------------------------

/// AVERROR(posix_errno).
int cadiff_averror(int posix_errno);
/// AVERROR_EOF.
int cadiff_averror_eof(void);
/// AVERROR(EAGAIN), the "send more input / read more output" code of the codec API.
int cadiff_averror_eagain(void);
/// Writes FFmpeg's message for an error code into buf; stands in for the av_err2str macro.
int cadiff_av_strerror(int err, char *buf, size_t size);
/// AV_NOPTS_VALUE.
int64_t cadiff_av_nopts_value(void);
/// Routes FFmpeg's log output: level_limit >= 0 keeps messages at or below that level on
/// stderr, a negative value silences FFmpeg completely.
void cadiff_av_log_quiet(int level_limit);
/// Receives one formatted FFmpeg log line (no trailing newline) and its AV_LOG_* level.
typedef void (*cadiff_av_log_handler)(int level, const char *line);
/// Routes FFmpeg's (variadic, va_list based) log callback to `handler`, which gets each message
/// formatted with av_log_format_line2 and only when its level passes av_log_get_level().
/// NULL restores FFmpeg's default stderr logger.
void cadiff_av_log_forward(cadiff_av_log_handler handler);

// ---- Linux -----------------------------------------------------------------

/// Peer credentials of a connected Unix socket (SO_PEERCRED). Returns 0 or -errno.
int cadiff_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid);
/// openat2(dirfd, path, flags, mode, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS [| RESOLVE_NO_SYMLINKS]).
/// Returns an fd or -errno; -ENOSYS on kernels without openat2.
int cadiff_open_beneath(int dirfd, const char *path, int flags, unsigned int mode, int no_symlinks);
/// renameat2 with RENAME_NOREPLACE. Returns 0 or -errno.
int cadiff_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);

#ifdef __cplusplus
}
#endif

#endif
