/**
 * Walks a directive tree against a keyword table, nginx-style: each directive
 * is looked up, its context, terminator, argument count and repetition are
 * checked in nginx's order (ngx_conf_handler) with nginx's wording, then its
 * value parser runs. Settings land in a Scope tree the schema resolves later.
 */
import { type ConfDirective, posOf } from "./block-parser.js";
import { ConfigError } from "./config-error.js";
import type { SourcePos } from "./types.js";

export interface DirectiveSpec<C extends string> {
  contexts: readonly C[];
  /** Inclusive argument count range, not counting the name. */
  args: readonly [number, number];
  /** Takes a `{ ... }` block. */
  block?: boolean;
  /** Context of the block's children (walked by the walker), unless `raw`. */
  child?: C | ((parent: Scope<C>) => C);
  /** The block's content is read by `value` itself (types, keepalived lists). */
  raw?: boolean;
  /** May repeat in one block (otherwise `"x" directive is duplicate`). */
  multi?: boolean;
  /** Checks and converts the arguments; throws ConfigError. Default: `true`. */
  value?: (d: ConfDirective, scope: Scope<C>) => unknown;
}

export interface Setting {
  value: unknown;
  pos: SourcePos;
}

export class Scope<C extends string> {
  readonly settings = new Map<string, Setting[]>();
  readonly children: Scope<C>[] = [];

  constructor(
    readonly ctx: C,
    readonly parent: Scope<C> | null,
    readonly directive: ConfDirective | null,
    /** The value returned by the block directive's parser (e.g. an application name). */
    readonly blockValue: unknown = null,
  ) {}

  has(name: string): boolean {
    return this.settings.has(name);
  }

  /** The first value set at this level. */
  get<T>(name: string): T | undefined {
    return this.settings.get(name)?.[0].value as T | undefined;
  }

  /** The last value set at this level (keepalived: a repeated keyword overrides). */
  last<T>(name: string): T | undefined {
    const list = this.settings.get(name);
    return list?.[list.length - 1].value as T | undefined;
  }

  /** Every value set at this level, in file order. */
  all<T>(name: string): T[] {
    return (this.settings.get(name) ?? []).map((s) => s.value as T);
  }

  /** The value at the nearest level (this one, then its parents) that sets it. */
  inherited<T>(name: string): T | undefined {
    for (let s: Scope<C> | null = this; s; s = s.parent) if (s.has(name)) return s.get<T>(name);
    return undefined;
  }

  /** All values of the nearest level that sets the name at all (nginx's array inheritance). */
  inheritedAll<T>(name: string): T[] {
    for (let s: Scope<C> | null = this; s; s = s.parent) if (s.has(name)) return s.all<T>(name);
    return [];
  }

  childrenOf(ctx: C): Scope<C>[] {
    return this.children.filter((c) => c.ctx === ctx);
  }

  set(name: string, value: unknown, pos: SourcePos): void {
    const list = this.settings.get(name);
    if (list) list.push({ value, pos });
    else this.settings.set(name, [{ value, pos }]);
  }
}

/** How structural problems are worded (nginx's by default; keepalived's schema words its own). */
export interface WalkWording {
  unknown(name: string): string;
  notAllowed(name: string): string;
  missingArgument(name: string): string;
}

export const NGINX_WORDING: WalkWording = {
  unknown: (name) => `unknown directive "${name}"`,
  notAllowed: (name) => `"${name}" directive is not allowed here`,
  missingArgument: (name) => `invalid number of arguments in "${name}" directive`,
};

export function fail(d: ConfDirective, problem: string): never {
  throw new ConfigError(problem, posOf(d));
}

export function walkDirectives<C extends string>(
  list: readonly ConfDirective[],
  scope: Scope<C>,
  table: ReadonlyMap<string, DirectiveSpec<C>>,
  wording: WalkWording = NGINX_WORDING,
): void {
  for (const d of list) walkOne(d, scope, table, wording);
}

function walkOne<C extends string>(
  d: ConfDirective,
  scope: Scope<C>,
  table: ReadonlyMap<string, DirectiveSpec<C>>,
  wording: WalkWording,
): void {
  const spec = table.get(d.name);
  if (!spec) fail(d, wording.unknown(d.name));
  if (!spec.contexts.includes(scope.ctx)) fail(d, wording.notAllowed(d.name));
  if (!spec.block && d.terminator === "{") fail(d, `directive "${d.name}" is not terminated by ";"`);
  if (spec.block && d.terminator !== "{") fail(d, `directive "${d.name}" has no opening "{"`);
  if (d.args.length < spec.args[0]) fail(d, wording.missingArgument(d.name));
  if (d.args.length > spec.args[1]) {
    fail(d, `invalid number of arguments in "${d.name}" directive`);
  }
  if (!spec.multi && scope.has(d.name)) fail(d, `"${d.name}" directive is duplicate`);
  const value = spec.value ? spec.value(d, scope) : true;
  scope.set(d.name, value, posOf(d));
  if (spec.block && !spec.raw && spec.child) {
    const ctx = typeof spec.child === "function" ? spec.child(scope) : spec.child;
    const child = new Scope<C>(ctx, scope, d, value);
    scope.children.push(child);
    walkDirectives(d.block ?? [], child, table, wording);
  }
}
