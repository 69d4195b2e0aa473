import { Type, type Static } from 'typebox';

/** Settings of a Degreed (API v2) configuration. */
export const DegreedSettingsSchema = Type.Object(
  {
    degreed_base_url: Type.String({ minLength: 1, maxLength: 2048, description: 'API host, e.g. https://api.degreed.com' }),
    degreed_token_fetch_base_url: Type.Optional(
      Type.String({ minLength: 1, maxLength: 2048, description: 'OAuth host when it differs from the API host.' }),
    ),
    client_id: Type.String({ minLength: 1, maxLength: 255 }),
    client_secret: Type.String({ minLength: 1, maxLength: 4096, description: 'Write-only.' }),
  },
  { additionalProperties: false },
);

export type DegreedSettings = Static<typeof DegreedSettingsSchema>;

export const DEGREED_SECRET_FIELDS = ['client_secret'] as const;
