import { Type, type Static } from 'typebox';

/**
 * Settings of a Cornerstone (CSOD) configuration. Cornerstone pulls (`/cornerstone/course-list`), so nothing here is
 * a credential; the per-customer parts of upstream's global configuration (subject mapping, languages) live here.
 */
export const CsodSettingsSchema = Type.Object(
  {
    cornerstone_base_url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: "The customer's Cornerstone portal (informational)." })),
    disable_subject_metadata_transmission: Type.Optional(Type.Boolean({ description: 'Omit `Subjects` from the items.' })),
    subject_mapping: Type.Optional(
      Type.Record(Type.String({ minLength: 1, maxLength: 255 }), Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 200 }), {
        description: 'Cornerstone subject → catalog subject names that map to it (case-insensitive).',
      }),
    ),
    languages: Type.Optional(
      Type.Array(Type.String({ minLength: 2, maxLength: 35 }), { maxItems: 200, description: 'IETF tags Cornerstone accepts; default: every tag the mapping knows.' }),
    ),
  },
  { additionalProperties: false },
);

export type CsodSettings = Static<typeof CsodSettingsSchema>;

export const CSOD_SECRET_FIELDS: readonly string[] = [];
export const CSOD_DEFAULT_CHUNK_SIZE = 500;
/** Upstream's `ENTERPRISE_CORNERSTONE_MAX_CONTENT_PAYLOAD_COUNT`. */
export const CSOD_MAX_ITEMS = 1000;
