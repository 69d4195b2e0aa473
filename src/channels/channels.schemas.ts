/** Request and response schemas of the integrated channels API. Types are inferred from these (house style 3). */
import { Type, type Static } from 'typebox';
import { CHANNEL_CODES } from './channel-adapter.js';

const Uuid = Type.String({ format: 'uuid', description: 'a UUID' });
const NullableDate = Type.Union([Type.String(), Type.Null()]);

/** Fields a configuration may set on create and change with PATCH. */
const WritableConfigurationFields = {
  display_name: Type.Optional(Type.String({ maxLength: 255 })),
  active: Type.Optional(Type.Boolean()),
  dry_run_mode_enabled: Type.Optional(Type.Boolean()),
  transmission_chunk_size: Type.Optional(Type.Integer({ minimum: 1 })),
  catalogs_to_transmit: Type.Optional(Type.Array(Uuid, { maxItems: 1000 })),
  show_course_price: Type.Optional(Type.Boolean()),
  remove_orphaned_content: Type.Optional(Type.Boolean()),
  settings: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
};

/** What a configuration may carry on create; every field is checked by the service so that a 400 lists them all. */
export const ConfigurationCreate = Type.Object(
  {
    enterprise_customer: Uuid,
    channel_code: Type.Union(CHANNEL_CODES.map((c) => Type.Literal(c))),
    ...WritableConfigurationFields,
  },
  { additionalProperties: false },
);
export type ConfigurationCreateBody = Static<typeof ConfigurationCreate>;

/** PATCH: any subset of the writable fields; `settings` is merged into the stored settings (null removes a key). */
export const ConfigurationPatch = Type.Object(WritableConfigurationFields, { additionalProperties: false });
export type ConfigurationPatchBody = Static<typeof ConfigurationPatch>;

/** The body as received: shape checks happen in the service, which reports every bad field at once. */
export const AnyObjectBody = Type.Record(Type.String(), Type.Unknown(), {
  description: 'See ConfigurationCreate / ConfigurationPatch in the description; every bad field is listed in the 400 body.',
});

export const ConfigurationView = Type.Object({
  id: Type.Integer(),
  enterprise_customer: Type.String(),
  channel_code: Type.String(),
  display_name: Type.String(),
  active: Type.Boolean(),
  dry_run_mode_enabled: Type.Boolean(),
  transmission_chunk_size: Type.Integer(),
  catalogs_to_transmit: Type.Array(Type.String()),
  show_course_price: Type.Boolean(),
  remove_orphaned_content: Type.Boolean(),
  settings: Type.Record(Type.String(), Type.Unknown(), { description: 'Channel settings without secret fields (they are write-only).' }),
  configured_secrets: Type.Array(Type.String(), { description: 'Names of the secret settings that are set.' }),
  last_content_sync_attempted_at: NullableDate,
  last_content_sync_errored_at: NullableDate,
  created: Type.String(),
  modified: Type.String(),
});
export type ConfigurationViewType = Static<typeof ConfigurationView>;

export const ConfigurationPage = Type.Object({
  count: Type.Integer(),
  next: Type.Union([Type.String(), Type.Null()]),
  previous: Type.Union([Type.String(), Type.Null()]),
  results: Type.Array(ConfigurationView),
});

export const ConfigurationListQuery = Type.Object({
  enterprise_customer: Type.Optional(Type.String()),
  channel_code: Type.Optional(Type.String()),
  page: Type.Optional(Type.String()),
  page_size: Type.Optional(Type.String()),
});

export const IdParams = Type.Object({ id: Type.String({ description: 'configuration id' }) });

export const TransmitAccepted = Type.Object({ async_task_id: Type.String({ description: 'Poll GET /api/v1/tasks/{id}/ for the outcome' }) });

export const SyncStatusParams = Type.Object({ customer_uuid: Type.String(), channel_code: Type.String(), configuration_id: Type.String() });

export const SyncStatusQuery = Type.Object(
  {
    page: Type.Optional(Type.String()),
    page_size: Type.Optional(Type.String()),
    sort_by: Type.Optional(Type.String({ description: 'a field name, `-` prefix for descending' })),
    content_title: Type.Optional(Type.String()),
    content_id: Type.Optional(Type.String()),
    sync_status: Type.Optional(Type.String()),
    friendly_status_message: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

export const SyncStatusRow = Type.Object({
  content_title: Type.Union([Type.String(), Type.Null()]),
  content_id: Type.String(),
  sync_status: Type.Union([Type.Literal('pending'), Type.Literal('okay'), Type.Literal('error')]),
  sync_last_attempted_at: NullableDate,
  friendly_status_message: Type.Union([Type.String(), Type.Null()]),
  marked_for: Type.Union([Type.String(), Type.Null()]),
  remote_deleted_at: NullableDate,
});

export const SyncStatusPage = Type.Object({
  count: Type.Integer(),
  num_pages: Type.Integer(),
  current_page: Type.Integer(),
  next: Type.Union([Type.String(), Type.Null()]),
  previous: Type.Union([Type.String(), Type.Null()]),
  results: Type.Array(SyncStatusRow),
});

export const CsodQuery = Type.Object(
  { ciid: Type.Optional(Type.String()), count: Type.Optional(Type.String()) },
  { additionalProperties: true },
);

/** Error bodies: `{"detail": …}`, or a DRF-style field dictionary for a 400 (`{"settings": ["url: …"]}`). */
export const Detail = Type.Object({ detail: Type.Optional(Type.String()) }, { additionalProperties: true });
