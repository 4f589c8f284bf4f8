/** The config layer: one lexer for brace-block files, the nginx and keepalived schemas on top. */
export { COMMAND_LINE_FILE, CONFIG_ERROR_LEVEL, ConfigError } from "./config-error.js";
export { printKeepalivedConfig } from "./keepalived-printer.js";
export { loadKeepalivedConfig, parseKeepalivedConfigText } from "./keepalived-schema.js";
export { printNginxConfig } from "./nginx-printer.js";
export { loadNginxConfig, type NginxLoadOptions, parseNginxConfigText } from "./nginx-schema.js";
export { defaultConfigPath, projectPrefix } from "./paths.js";
export type * from "./types.js";
