import { Type, type Static } from 'typebox';

/** Default paths of SuccessFactors Learning's OAuth and OCN course-import APIs; overridable per configuration. */
export const SAP_DEFAULT_OAUTH_PATH = '/learning/oauth-api/rest/v1/token';
export const SAP_DEFAULT_COURSE_PATH = '/learning/odatav4/public/admin/ocn/v1/OcnCourses';

/** Settings of an SAP SuccessFactors configuration. */
export const SapSettingsSchema = Type.Object(
  {
    sapsf_base_url: Type.String({ minLength: 1, maxLength: 2048 }),
    sapsf_company_id: Type.String({ minLength: 1, maxLength: 255 }),
    sapsf_user_id: Type.String({ minLength: 1, maxLength: 255 }),
    user_type: Type.Optional(Type.Union([Type.Literal('user'), Type.Literal('admin')], { description: "OAuth scope userType; default 'user'." })),
    client_id: Type.String({ minLength: 1, maxLength: 255, description: 'OAuth client id (upstream "key").' }),
    client_secret: Type.String({ minLength: 1, maxLength: 4096, description: 'OAuth client secret. Write-only.' }),
    additional_locales: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50, description: 'SAP locale names besides English, e.g. "Spanish".' }),
    ),
    provider_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "OCN provider id; default 'EDX'." })),
    oauth_api_path: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    course_api_path: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);

export type SapSettings = Static<typeof SapSettingsSchema>;

export const SAP_SECRET_FIELDS = ['client_secret'] as const;
