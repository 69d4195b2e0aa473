/**
 * node-postgres's value serialiser (`pg/lib/utils`, exported by the package but not typed by `@types/pg`). The PGlite
 * worker sends parameters through it, so both databases receive the same text for the same value.
 */
declare module 'pg/lib/utils.js' {
  const utils: {
    /** A parameter as node-postgres sends it: text, a Buffer (bytea), or null. */
    prepareValue(value: unknown): string | Buffer | null;
  };
  export default utils;
}
