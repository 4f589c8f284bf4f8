/**
 * JS representation of AMF0/AMF3 values, shared by both codecs.
 *
 * - number, boolean, string, null, undefined, Date map to themselves.
 * - Anonymous objects are plain objects (keys in wire order).
 * - ECMA arrays (AMF0 0x08) are plain objects marked with `markEcmaArray`;
 *   `isEcmaArray` tells them apart so re-encoding keeps the marker.
 * - Strict/dense arrays are JS arrays.
 * - Classes below cover the rest.
 */

export type AmfValue =
  | number
  | boolean
  | string
  | null
  | undefined
  | Date
  | Buffer
  | AmfValue[]
  | AmfObject
  | AmfTypedObject
  | AmfXml
  | AmfMixedArray
  | AmfVector
  | AmfDictionary;

export interface AmfObject {
  [key: string]: AmfValue;
}

const ECMA = Symbol("onair.amf.ecmaArray");

/** Marks a plain object so the AMF0 encoder writes it as an ECMA array (0x08). */
export function markEcmaArray<T extends AmfObject>(obj: T): T {
  Object.defineProperty(obj, ECMA, { value: true, enumerable: false });
  return obj;
}

export function isEcmaArray(v: unknown): boolean {
  return typeof v === "object" && v !== null && (v as Record<symbol, unknown>)[ECMA] === true;
}

/** An object with a class name (AMF0 typed object 0x10, AMF3 object with traits). */
export class AmfTypedObject {
  constructor(
    readonly className: string,
    readonly members: AmfObject,
  ) {}
}

/** XML: AMF0 XML document (0x0F) / AMF3 XMLDocument (0x07) when `legacy`, AMF3 XML (0x0B) otherwise. */
export class AmfXml {
  constructor(
    readonly xml: string,
    readonly legacy = true,
  ) {}
}

/** AMF3 array with an associative part (dense part kept in order). */
export class AmfMixedArray {
  constructor(
    readonly dense: AmfValue[],
    readonly assoc: AmfObject,
  ) {}
}

export type AmfVectorKind = "int" | "uint" | "double" | "object";

/** AMF3 Vector.<int|uint|Number|Object> (0x0D–0x10). */
export class AmfVector {
  constructor(
    readonly kind: AmfVectorKind,
    readonly items: AmfValue[],
    readonly fixed = false,
    readonly typeName = "",
  ) {}
}

/** AMF3 Dictionary (0x11): entries in wire order. */
export class AmfDictionary {
  constructor(
    readonly entries: [AmfValue, AmfValue][],
    readonly weakKeys = false,
  ) {}
}

/** Plain object whose prototype is Object.prototype (not a class instance, array, Date, Buffer). */
export function isPlainObject(v: unknown): v is AmfObject {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Assigns a decoded member without letting "__proto__" change the prototype. */
export function setMember(obj: AmfObject, key: string, value: AmfValue): void {
  if (key === "__proto__") {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}
