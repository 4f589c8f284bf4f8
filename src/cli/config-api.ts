/**
 * The one place the CLI reaches into config/: loading both file formats, the
 * default paths, and the list of files a configuration was read from (-T).
 */
import { readFileSync } from "node:fs";
import { type ConfDirective, parseConfigFile } from "../config/block-parser.js";
import type { NginxConfig } from "../config/types.js";

export { loadKeepalivedConfig } from "../config/keepalived-schema.js";
export { loadNginxConfig } from "../config/nginx-schema.js";
export { defaultConfigPath, projectPrefix } from "../config/paths.js";

/** Every file a configuration was read from (main file first), with its text, for -T. */
export function configFiles(config: NginxConfig): { path: string; text: string }[] {
  const seen = new Set<string>([config.file]);
  const walk = (ds: ConfDirective[]) => {
    for (const d of ds) {
      seen.add(d.file);
      if (d.block) walk(d.block);
    }
  };
  walk(parseConfigFile(config.file, { mode: "nginx" }));
  return [...seen].map((path) => ({ path, text: readFileSync(path, "utf8") }));
}
