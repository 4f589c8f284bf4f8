/**
 * `onair vrrp` options, keepalived's spelling (short and long forms) for the
 * subset onair implements. Unknown options are errors, as in keepalived.
 */
export interface VrrpArgs {
  help: boolean;
  version: boolean;
  test: boolean;
  configFile: string;
  /** -n: accepted; onair never forks. */
  dontFork: boolean;
  /** -l: log to the console (onair always logs to standard error). */
  logConsole: boolean;
  /** -D: detailed logs (debug level). */
  logDetail: boolean;
}

export const DEFAULT_KEEPALIVED_CONF = "/etc/keepalived/keepalived.conf";

export class VrrpArgsError extends Error {}

const FLAGS: Record<string, keyof Omit<VrrpArgs, "configFile">> = {
  h: "help",
  "-help": "help",
  v: "version",
  "-version": "version",
  t: "test",
  "-config-test": "test",
  n: "dontFork",
  "-dont-fork": "dontFork",
  l: "logConsole",
  "-log-console": "logConsole",
  D: "logDetail",
  "-log-detail": "logDetail",
};

export function parseVrrpArgs(argv: readonly string[]): VrrpArgs {
  const a: VrrpArgs = {
    help: false,
    version: false,
    test: false,
    configFile: DEFAULT_KEEPALIVED_CONF,
    dontFork: false,
    logConsole: false,
    logDetail: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.startsWith("--")) {
      const [name, val] = splitLong(arg);
      if (name === "--use-file") {
        const v = val ?? argv[++i];
        if (v === undefined) throw new VrrpArgsError(`option '${name}' requires an argument`);
        a.configFile = v;
        continue;
      }
      const key = FLAGS[name.slice(1)];
      if (!key || val !== undefined) throw new VrrpArgsError(`unrecognized option '${arg}'`);
      a[key] = true;
      continue;
    }
    if (!arg.startsWith("-") || arg.length < 2) throw new VrrpArgsError(`unexpected argument '${arg}'`);
    i = shortGroup(a, argv, i);
  }
  return a;
}

function splitLong(arg: string): [string, string | undefined] {
  const eq = arg.indexOf("=");
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

/** Applies one `-abc` group; returns the index of the last argument consumed. */
function shortGroup(a: VrrpArgs, argv: readonly string[], i: number): number {
  const arg = argv[i] as string;
  for (let p = 1; p < arg.length; p++) {
    const c = arg[p] as string;
    if (c === "f") {
      const glued = arg.slice(p + 1);
      const v = glued !== "" ? glued : argv[++i];
      if (v === undefined) throw new VrrpArgsError("option requires an argument -- 'f'");
      a.configFile = v;
      return i;
    }
    const key = FLAGS[c];
    if (!key) throw new VrrpArgsError(`invalid option -- '${c}'`);
    a[key] = true;
  }
  return i;
}

export const VRRP_HELP =
  "Usage: onair vrrp [OPTION...]\n" +
  "  -f, --use-file=FILE          Use the specified configuration file\n" +
  `                                default '${DEFAULT_KEEPALIVED_CONF}'\n` +
  "  -t, --config-test            Check the configuration for obvious errors, output to\n" +
  "                                stderr\n" +
  "  -n, --dont-fork              Don't fork the daemon process (onair never forks)\n" +
  "  -l, --log-console            Log messages to local console (onair always does)\n" +
  "  -D, --log-detail             Detailed log messages\n" +
  "  -v, --version                Display the version number\n" +
  "  -h, --help                   Display this help message\n";
