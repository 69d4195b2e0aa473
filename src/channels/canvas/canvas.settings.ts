import { Type, type Static } from 'typebox';

/** Settings of a Canvas configuration. The refresh token comes from Canvas's OAuth authorize flow. */
export const CanvasSettingsSchema = Type.Object(
  {
    canvas_base_url: Type.String({ minLength: 1, maxLength: 2048 }),
    canvas_account_id: Type.Integer({ minimum: 1, description: 'Account (or sub-account) the courses are created in.' }),
    client_id: Type.String({ minLength: 1, maxLength: 255, description: 'Developer key id.' }),
    client_secret: Type.String({ minLength: 1, maxLength: 4096, description: 'Developer key secret. Write-only.' }),
    refresh_token: Type.String({ minLength: 1, maxLength: 4096, description: 'Write-only.' }),
  },
  { additionalProperties: false },
);

export type CanvasSettings = Static<typeof CanvasSettingsSchema>;

export const CANVAS_SECRET_FIELDS = ['client_secret', 'refresh_token'] as const;
