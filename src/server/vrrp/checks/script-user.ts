/**
 * Resolves `script_user USER [GROUP]` (global_defs) and a vrrp_script's
 * `user USER [GROUP]` to numeric ids, as keepalived's set_uid_gid(): the
 * user's primary group unless a group is named. With no user configured,
 * keepalived runs scripts as `keepalived_script` when that account exists,
 * else as itself; so do we. Reads /etc/passwd and /etc/group (no NSS).
 */
import { readFileSync } from "node:fs";
import { OnairError } from "../../../util/errors.js";

export interface ScriptIdentity {
  /** null = run as ourselves (no switch). */
  uid: number | null;
  gid: number | null;
  /** For logs: "nobody:nogroup", or "self". */
  label: string;
}

export const DEFAULT_SCRIPT_USER = "keepalived_script";

interface DbEntry {
  name: string;
  id: number;
  gid: number;
}

function readDb(path: string): DbEntry[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  const out: DbEntry[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const f = line.split(":");
    const id = Number(f[2]);
    if (!f[0] || !Number.isInteger(id)) continue;
    out.push({ name: f[0], id, gid: Number(f[3]) });
  }
  return out;
}

function lookup(db: DbEntry[], nameOrId: string): DbEntry | undefined {
  if (/^\d+$/.test(nameOrId)) return db.find((e) => e.id === Number(nameOrId)) ?? undefined;
  return db.find((e) => e.name === nameOrId);
}

export interface UserDbPaths {
  passwd?: string;
  group?: string;
}

/** Resolves a configured user (and group). Throws ONAIR_VRRP_SCRIPT_USER when unknown. */
export function resolveScriptUser(
  user: { user: string; group: string | null },
  paths: UserDbPaths = {},
): ScriptIdentity {
  const pw = lookup(readDb(paths.passwd ?? "/etc/passwd"), user.user);
  if (!pw) {
    throw new OnairError("ONAIR_VRRP_SCRIPT_USER", `Script user '${user.user}' does not exist`, {
      user: user.user,
    });
  }
  let gid = pw.gid;
  let groupLabel = String(gid);
  const groupName = user.group?.replace(/^:/, "") || null;
  const groups = readDb(paths.group ?? "/etc/group");
  if (groupName) {
    const gr = lookup(groups, groupName);
    if (!gr) {
      throw new OnairError("ONAIR_VRRP_SCRIPT_USER", `Script group '${groupName}' does not exist`, {
        group: groupName,
      });
    }
    gid = gr.id;
    groupLabel = gr.name;
  } else {
    groupLabel = groups.find((g) => g.id === gid)?.name ?? String(gid);
  }
  return { uid: pw.id, gid, label: `${pw.name}:${groupLabel}` };
}

/** The identity a script runs as: its own `user`, else `script_user`, else keepalived_script if present, else self. */
export function scriptIdentity(
  own: { user: string; group: string | null } | null,
  global: { user: string; group: string | null } | null,
  paths: UserDbPaths = {},
): ScriptIdentity {
  const chosen = own ?? global;
  const me = process.getuid?.() ?? 0;
  let id: ScriptIdentity;
  if (chosen) id = resolveScriptUser(chosen, paths);
  else {
    if (me !== 0) return { uid: null, gid: null, label: "self" };
    try {
      id = resolveScriptUser({ user: DEFAULT_SCRIPT_USER, group: null }, paths);
    } catch {
      return { uid: null, gid: null, label: "self" };
    }
  }
  // Only root may switch; running as ourselves when already that user needs no switch.
  if (me !== 0) {
    if (id.uid !== me) {
      throw new OnairError(
        "ONAIR_VRRP_SCRIPT_USER",
        `cannot run scripts as ${id.label}: not root (uid ${me})`,
        { uid: id.uid },
      );
    }
    return { uid: null, gid: null, label: id.label };
  }
  return id;
}
