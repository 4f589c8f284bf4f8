/**
 * AMF0/AMF3 codecs.
 *
 *   decodeAmf0(buf, limits?, offset?) → AmfValue[]    encodeAmf0(...values) → Buffer
 *   decodeAmf3(buf, limits?, offset?) → AmfValue[]    encodeAmf3(...values) → Buffer
 *
 * Values: number | boolean | string | null | undefined | Date | Buffer (ByteArray) |
 * AmfValue[] (strict/dense array) | plain object (anonymous object; `markEcmaArray(obj)` makes
 * AMF0 write it as an ECMA array, `isEcmaArray` tells) | AmfTypedObject | AmfXml | AmfMixedArray |
 * AmfVector | AmfDictionary. Decoders raise only AmfError (codes in AmfErrorCode) and are bounded
 * by AmfLimits (DEFAULT_AMF_LIMITS: depth 64, 65536 elements, 1 MiB strings, 16 MiB input).
 */
export { AmfError, AmfErrorCode, type AmfLimits, DEFAULT_AMF_LIMITS } from "./amf-error.js";
export {
  AmfDictionary,
  AmfMixedArray,
  type AmfObject,
  AmfTypedObject,
  type AmfValue,
  AmfVector,
  type AmfVectorKind,
  AmfXml,
  isEcmaArray,
  isPlainObject,
  markEcmaArray,
} from "./amf-value.js";
export { Amf0Marker, decodeAmf0 } from "./amf0-decoder.js";
export { encodeAmf0 } from "./amf0-encoder.js";
export { Amf3Marker, decodeAmf3 } from "./amf3-decoder.js";
export { encodeAmf3 } from "./amf3-encoder.js";
