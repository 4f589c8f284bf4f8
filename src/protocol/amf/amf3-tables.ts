import { AmfError, AmfErrorCode, type AmfLimits } from "./amf-error.js";
import type { AmfValue } from "./amf-value.js";

/** Traits of an AMF3 object (AMF3 spec 3.12). */
export interface Amf3Traits {
  className: string;
  sealed: string[];
  dynamic: boolean;
}

/** The three AMF3 reference tables of one decode (AMF3 spec 2.2), each bounded. */
export class Amf3Tables {
  readonly strings: string[] = [];
  readonly objects: AmfValue[] = [];
  readonly traits: Amf3Traits[] = [];

  constructor(readonly limits: AmfLimits) {}

  add<T>(table: T[], v: T): void {
    if (table.length >= this.limits.maxReferences) {
      throw new AmfError(AmfErrorCode.TooManyElements, "too many AMF3 reference table entries", {
        limit: this.limits.maxReferences,
      });
    }
    table.push(v);
  }

  get<T>(table: T[], index: number, what: string): T {
    if (index >= table.length) {
      throw new AmfError(AmfErrorCode.BadReference, `AMF3 ${what} reference ${index} out of range`, {
        index,
      });
    }
    return table[index]!;
  }
}
