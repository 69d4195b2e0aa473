import { Type, type Static } from 'typebox';

/**
 * Settings of a Moodle configuration: a web-service token, or a username and password to obtain one from
 * `login/token.php` (and obtain again when Moodle reports `invalidtoken`), or both.
 */
export const MoodleSettingsSchema = Type.Object(
  {
    moodle_base_url: Type.String({ minLength: 1, maxLength: 2048 }),
    service_short_name: Type.String({ minLength: 1, maxLength: 255, description: 'External service enabled for the web-service user.' }),
    category_id: Type.Optional(Type.Integer({ minimum: 1, description: 'Course category; default 1.' })),
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Web-service token. Write-only.' })),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Write-only.' })),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'Write-only.' })),
  },
  { additionalProperties: false },
);

export type MoodleSettings = Static<typeof MoodleSettingsSchema>;

/** Upstream encrypted the username too; it is half of a credential. */
export const MOODLE_SECRET_FIELDS = ['token', 'username', 'password'] as const;
