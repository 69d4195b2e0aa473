import { Type, type Static } from 'typebox';

/**
 * Settings of a Blackboard Learn configuration. Blackboard rotates refresh tokens: the adapter saves each new one
 * through `saveSettings` before using it.
 */
export const BlackboardSettingsSchema = Type.Object(
  {
    blackboard_base_url: Type.String({ minLength: 1, maxLength: 2048 }),
    client_id: Type.String({ minLength: 1, maxLength: 255, description: 'REST application key.' }),
    client_secret: Type.String({ minLength: 1, maxLength: 4096, description: 'REST application secret. Write-only.' }),
    refresh_token: Type.String({ minLength: 1, maxLength: 4096, description: 'Write-only; replaced on every token refresh.' }),
  },
  { additionalProperties: false },
);

export type BlackboardSettings = Static<typeof BlackboardSettingsSchema>;

export const BLACKBOARD_SECRET_FIELDS = ['client_secret', 'refresh_token'] as const;
