/**
 * Reading a config parser's refusal in tests: the message of the ConfigError
 * it threw (anything else fails the test), or "(none)" when it accepted.
 */
import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/config-error.js";

export function configErrorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message;
  }
  return "(none)";
}
