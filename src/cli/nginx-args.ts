/**
 * Parses the streaming server's command line exactly as nginx parses its own
 * (ngx_get_options in nginx.c): flags may be grouped (`-tq`), an option's
 * value may be glued (`-cFILE`) or the next argument, and errors are nginx's.
 */
import { type ControlAction, isControlAction } from "../server/process/signals.js";

export interface NginxArgs {
  help: boolean;
  version: boolean;
  configureInfo: boolean;
  test: boolean;
  dump: boolean;
  quiet: boolean;
  signal: ControlAction | null;
  prefix: string | null;
  errorLog: string | null;
  configFile: string | null;
  directives: string | null;
}

export class ArgsError extends Error {}

const VALUE_OPTIONS: Record<
  string,
  { key: "prefix" | "errorLog" | "configFile" | "directives"; what: string }
> = {
  p: { key: "prefix", what: "directory name" },
  e: { key: "errorLog", what: "file name" },
  c: { key: "configFile", what: "file name" },
  g: { key: "directives", what: "parameter" },
};

export function parseNginxArgs(argv: readonly string[]): NginxArgs {
  const a: NginxArgs = {
    help: false,
    version: false,
    configureInfo: false,
    test: false,
    dump: false,
    quiet: false,
    signal: null,
    prefix: null,
    errorLog: null,
    configFile: null,
    directives: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("-")) throw new ArgsError(`invalid option: "${arg}"`);
    let p = 1;
    while (p < arg.length) {
      const c = arg[p++] as string;
      const rest = arg.slice(p);
      const value = () => {
        if (rest !== "") return rest;
        const next = argv[i + 1];
        if (next === undefined) return undefined;
        i++;
        return next;
      };
      if (c === "s") {
        const v = value();
        if (v === undefined) throw new ArgsError('option "-s" requires parameter');
        if (!isControlAction(v)) throw new ArgsError(`invalid option: "-s ${v}"`);
        a.signal = v;
        break;
      }
      const opt = VALUE_OPTIONS[c];
      if (opt) {
        const v = value();
        if (v === undefined) throw new ArgsError(`option "-${c}" requires ${opt.what}`);
        a[opt.key] = v;
        break;
      }
      applyFlag(a, c);
    }
  }
  return a;
}

function applyFlag(a: NginxArgs, c: string): void {
  switch (c) {
    case "?":
    case "h":
      a.help = true;
      a.version = true;
      return;
    case "v":
      a.version = true;
      return;
    case "V":
      a.version = true;
      a.configureInfo = true;
      return;
    case "t":
      a.test = true;
      return;
    case "T":
      a.test = true;
      a.dump = true;
      return;
    case "q":
      a.quiet = true;
      return;
    default:
      throw new ArgsError(`invalid option: "${c}"`);
  }
}

export function helpText(defaultPrefix: string, defaultConf: string): string {
  return (
    "Usage: onair [-?hvVtTq] [-s signal] [-p prefix]\n" +
    "             [-e filename] [-c filename] [-g directives]\n" +
    "       onair vrrp [-f file] [-t] [-n] [-l] [-D] [-h] [-v]\n" +
    "\n" +
    "Options:\n" +
    "  -?,-h         : this help\n" +
    "  -v            : show version and exit\n" +
    "  -V            : show version and configure options then exit\n" +
    "  -t            : test configuration and exit\n" +
    "  -T            : test configuration, dump it and exit\n" +
    "  -q            : suppress non-error messages during configuration testing\n" +
    "  -s signal     : send signal to a master process: stop, quit, reopen, reload\n" +
    `  -p prefix     : set prefix path (default: ${defaultPrefix})\n` +
    "  -e filename   : set error log file (default: logs/error.log)\n" +
    `  -c filename   : set configuration file (default: ${defaultConf})\n` +
    "  -g directives : set global directives out of configuration file\n" +
    "\n" +
    "  vrrp          : run the VRRP daemon (keepalived-style options, see onair vrrp -h)\n"
  );
}
