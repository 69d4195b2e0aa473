import { Type, type Static } from 'typebox';

/** Settings of a GENERIC (signed webhook) configuration. */
export const GenericSettingsSchema = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048, description: 'Webhook endpoint that receives each chunk as a POST.' }),
    signing_secret: Type.String({
      minLength: 16,
      maxLength: 512,
      description: 'Key of the HMAC-SHA256 signature in X-Ecat-Signature. Write-only.',
    }),
  },
  { additionalProperties: false },
);

export type GenericSettings = Static<typeof GenericSettingsSchema>;

export const GENERIC_SECRET_FIELDS = ['signing_secret'] as const;
