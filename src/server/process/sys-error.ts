/**
 * System errors worded as nginx words them: `open() "PATH" failed (2: No such
 * file or directory)`. Node gives `code` ("ENOENT") and a negative `errno`;
 * nginx prints the positive errno and strerror(3)'s text.
 */
import { constants } from "node:os";

const STRERROR: Record<string, string> = {
  EPERM: "Operation not permitted",
  ENOENT: "No such file or directory",
  ESRCH: "No such process",
  EINTR: "Interrupted system call",
  EIO: "Input/output error",
  EBADF: "Bad file descriptor",
  EAGAIN: "Resource temporarily unavailable",
  ENOMEM: "Cannot allocate memory",
  EACCES: "Permission denied",
  EBUSY: "Device or resource busy",
  EEXIST: "File exists",
  ENOTDIR: "Not a directory",
  EISDIR: "Is a directory",
  EINVAL: "Invalid argument",
  EMFILE: "Too many open files",
  ENFILE: "Too many open files in system",
  EFBIG: "File too large",
  ENOSPC: "No space left on device",
  EROFS: "Read-only file system",
  ENAMETOOLONG: "File name too long",
  ELOOP: "Too many levels of symbolic links",
  EADDRINUSE: "Address already in use",
  EADDRNOTAVAIL: "Cannot assign requested address",
  EAFNOSUPPORT: "Address family not supported by protocol",
  ECONNREFUSED: "Connection refused",
  ENOTSUP: "Operation not supported",
};

interface NodeSysError {
  code?: string;
  errno?: number;
  message?: string;
}

/** "(98: Address already in use)" for a Node system error, or its message if it is not one. */
export function describeSysError(err: unknown): string {
  const e = (err ?? {}) as NodeSysError;
  const code = typeof e.code === "string" ? e.code : undefined;
  if (code) {
    const num =
      (constants.errno as Record<string, number>)[code] ?? (e.errno ? Math.abs(e.errno) : undefined);
    const text = STRERROR[code] ?? code;
    if (num !== undefined) return `(${num}: ${text})`;
  }
  return `(${e.message ?? String(err)})`;
}

/** `open() "PATH" failed (2: No such file or directory)` */
export function syscallFailed(syscall: string, subject: string, err: unknown): string {
  return `${syscall}() "${subject}" failed ${describeSysError(err)}`;
}

/** True when `err` is a Node system error with that code. */
export function hasCode(err: unknown, code: string): boolean {
  return typeof err === "object" && err !== null && (err as NodeSysError).code === code;
}
