/**
 * Prototypes of the built-in objects that structured clone (and `v8.serialize`) copies faithfully, class and all. The
 * worker pool (what may cross to a thread) and the result cache (what may be stored) add the containers they walk.
 */
export const FAITHFULLY_CLONED: readonly object[] = [
  Date.prototype,
  RegExp.prototype,
  ArrayBuffer.prototype,
  Boolean.prototype,
  Number.prototype,
  String.prototype,
  BigInt.prototype,
  Error.prototype,
  EvalError.prototype,
  RangeError.prototype,
  ReferenceError.prototype,
  SyntaxError.prototype,
  TypeError.prototype,
  URIError.prototype,
];
