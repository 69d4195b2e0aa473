/**
 * Channel configurations: CRUD for admins of the customer (provisioning admins and superusers: all customers),
 * settings validated per channel on save (400 listing every bad field), secrets encrypted and write-only, soft delete,
 * and on-demand transmissions. A configuration of another customer answers 404, so ids reveal nothing (invariant 7).
 */
import { randomUUID } from 'node:crypto';
import { Value } from 'typebox/value';
import { adminContexts, ANY_CONTEXT, type AuthContext, hasAdminAccess, hasProvisioningAdminAccess } from '../auth/roles.js';
import type { Db } from '../db/database.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { AppError, badRequest, notFound } from '../shared/errors.js';
import { type ChannelDefinition, type AdapterLookup, channelDefinition, settingsProblems } from './channel-definitions.js';
import { type CatalogClientFactory, CatalogRequestCounter } from './catalog-client.js';
import {
  ConfigurationCreate,
  type ConfigurationCreateBody,
  ConfigurationPatch,
  type ConfigurationPatchBody,
  type ConfigurationViewType,
} from './channels.schemas.js';
import {
  type ConfigurationRecord,
  countConfigurations,
  findConfiguration,
  insertConfiguration,
  listConfigurations,
  lockConfiguration,
  nameIfUnnamed,
  softDeleteConfiguration,
  updateConfiguration,
} from './configuration.repository.js';
import { insertTransmitTask } from './run.repository.js';
import { decryptSecrets, encryptSecrets, publicSettings, type SecretBox } from './secrets.js';

export interface ConfigurationDeps {
  db: Db;
  jobs: JobQueue;
  catalog: CatalogClientFactory;
  secrets: SecretBox | null;
  adapters?: AdapterLookup;
}

export interface PageRequest {
  page?: string;
  page_size?: string;
  /** The request URL, for `next` / `previous`. */
  url: URL;
}

type FieldErrors = Record<string, string[]>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function addError(errors: FieldErrors, field: string, message: string): void {
  (errors[field] ??= []).push(message);
}

/** Every schema problem of `body`, by top-level field (a DRF-style 400 body). */
function shapeErrors(schema: typeof ConfigurationCreate | typeof ConfigurationPatch, body: unknown): FieldErrors {
  const errors: FieldErrors = {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { non_field_errors: ['Expected a JSON object.'] };
  for (const e of Value.Errors(schema, body)) {
    const params = e.params as { requiredProperties?: unknown; additionalProperties?: unknown };
    if (e.keyword === 'required' && Array.isArray(params.requiredProperties)) {
      for (const name of params.requiredProperties) addError(errors, String(name), 'This field is required.');
    } else if (e.keyword === 'additionalProperties' && Array.isArray(params.additionalProperties)) {
      for (const name of params.additionalProperties) addError(errors, String(name), 'Unknown field.');
    } else if (e.keyword !== 'boolean' && e.keyword !== 'anyOf') {
      const field = e.instancePath.replace(/^\//, '').split('/')[0] || 'non_field_errors';
      addError(errors, field, e.message);
    } else if (e.keyword === 'anyOf') {
      const field = e.instancePath.replace(/^\//, '').split('/')[0] || 'non_field_errors';
      addError(errors, field, field === 'channel_code' ? `Must be one of the channel codes.` : e.message);
    }
  }
  for (const k of Object.keys(errors)) errors[k] = [...new Set(errors[k])];
  return errors;
}

function invalid(errors: FieldErrors): AppError {
  const fields = Object.keys(errors).sort();
  return badRequest('invalid_configuration', `Invalid fields: ${fields.join(', ')}.`, errors);
}

function isoOrNull(d: Date | null): string | null {
  return d === null ? null : d.toISOString();
}

export function presentConfiguration(c: ConfigurationRecord, def: ChannelDefinition | undefined): ConfigurationViewType {
  const { settings, configuredSecrets } = publicSettings(c.settings, def?.adapter.secretFields ?? Object.keys(c.settings));
  return {
    id: c.id,
    enterprise_customer: c.enterpriseCustomerUuid,
    channel_code: c.channelCode,
    display_name: c.displayName,
    active: c.active,
    dry_run_mode_enabled: c.dryRunModeEnabled,
    transmission_chunk_size: c.transmissionChunkSize,
    catalogs_to_transmit: c.catalogsToTransmit,
    show_course_price: c.showCoursePrice,
    remove_orphaned_content: c.removeOrphanedContent,
    settings,
    configured_secrets: configuredSecrets,
    last_content_sync_attempted_at: isoOrNull(c.lastContentSyncAttemptedAt),
    last_content_sync_errored_at: isoOrNull(c.lastContentSyncErroredAt),
    created: c.created.toISOString(),
    modified: c.modified.toISOString(),
  };
}

function mayAdminister(auth: AuthContext, customer: string): boolean {
  return hasProvisioningAdminAccess(auth) || hasAdminAccess(auth, customer) || hasAdminAccess(auth, customer.toLowerCase());
}

export class ConfigurationService {
  readonly #d: ConfigurationDeps;

  constructor(deps: ConfigurationDeps) {
    this.#d = deps;
  }

  #def(code: string): ChannelDefinition | undefined {
    return channelDefinition(code, this.#d.adapters);
  }

  /** The configuration if it exists and the caller administers its customer; 404 otherwise (no existence leak). */
  async #visible(auth: AuthContext, idRaw: string): Promise<ConfigurationRecord> {
    const id = /^\d{1,9}$/.test(idRaw) ? Number(idRaw) : null;
    const c = id === null ? undefined : await findConfiguration(this.#d.db.kysely, id);
    if (c === undefined || !mayAdminister(auth, c.enterpriseCustomerUuid)) throw notFound('configuration_not_found');
    return c;
  }

  async list(auth: AuthContext, query: { enterprise_customer?: string; channel_code?: string } & PageRequest) {
    let scope: '*' | string[];
    if (hasProvisioningAdminAccess(auth)) scope = '*';
    else {
      const contexts = adminContexts(auth);
      if (contexts === ANY_CONTEXT) scope = '*';
      else {
        scope = [...contexts].filter((c) => UUID.test(c));
        if (scope.length === 0) throw new AppError('forbidden', 'permission_denied', 'MISSING: catalog.has_admin_access');
      }
    }
    const filter = {
      scope,
      ...(query.enterprise_customer ? { customer: query.enterprise_customer.toLowerCase() } : {}),
      ...(query.channel_code ? { channelCode: query.channel_code.toUpperCase() } : {}),
    };
    if (filter.customer !== undefined && !UUID.test(filter.customer)) throw invalid({ enterprise_customer: ['Must be a valid UUID.'] });
    const db = this.#d.db.kysely;
    const count = await countConfigurations(db, filter);
    const pageSize = Math.min(100, Math.max(1, Number.parseInt(query.page_size ?? '', 10) || 100));
    const lastPage = Math.max(1, Math.ceil(count / pageSize));
    const page = Number.parseInt(query.page ?? '1', 10);
    if (!Number.isInteger(page) || page < 1 || page > lastPage) throw notFound('invalid_page', 'Invalid page.');
    const rows = count === 0 ? [] : await listConfigurations(db, filter, pageSize, (page - 1) * pageSize);
    const link = (p: number | null) => {
      if (p === null) return null;
      const u = new URL(query.url);
      u.searchParams.set('page', String(p));
      return u.toString();
    };
    return {
      count,
      next: link(page < lastPage ? page + 1 : null),
      previous: link(page > 1 ? page - 1 : null),
      results: rows.map((r) => presentConfiguration(r, this.#def(r.channelCode))),
    };
  }

  async get(auth: AuthContext, idRaw: string): Promise<ConfigurationViewType> {
    const c = await this.#visible(auth, idRaw);
    return presentConfiguration(c, this.#def(c.channelCode));
  }

  async create(auth: AuthContext, raw: unknown): Promise<ConfigurationViewType> {
    const errors = shapeErrors(ConfigurationCreate, raw);
    const body = raw as Partial<ConfigurationCreateBody>;
    const customer = typeof body.enterprise_customer === 'string' && UUID.test(body.enterprise_customer) ? body.enterprise_customer.toLowerCase() : null;
    // Authorise before saying more about the body than its shape.
    if (customer !== null && !mayAdminister(auth, customer)) throw new AppError('forbidden', 'permission_denied', 'MISSING: catalog.has_admin_access');
    const def = typeof body.channel_code === 'string' ? this.#def(body.channel_code) : undefined;
    if (def === undefined && errors['channel_code'] === undefined) addError(errors, 'channel_code', 'This channel is not available.');
    const settings = body.settings ?? {};
    if (def !== undefined) this.#checkSettings(def, settings, errors);
    const chunk = body.transmission_chunk_size ?? def?.adapter.defaultChunkSize ?? 1;
    if (def !== undefined) this.#checkChunk(def, chunk, errors);
    if (customer !== null && body.catalogs_to_transmit !== undefined) await this.#checkCatalogs(customer, body.catalogs_to_transmit, errors);
    if (Object.keys(errors).length > 0 || customer === null || def === undefined) throw invalid(errors);

    const stored = encryptSecrets(settings, def.adapter.secretFields, this.#d.secrets);
    const created = await this.#d.db.transaction(async (trx) => {
      const row = await insertConfiguration(trx, {
        enterpriseCustomerUuid: customer,
        channelCode: def.code,
        displayName: body.display_name ?? '',
        active: body.active ?? true,
        dryRunModeEnabled: body.dry_run_mode_enabled ?? false,
        transmissionChunkSize: chunk,
        catalogsToTransmit: (body.catalogs_to_transmit ?? []).map((c) => c.toLowerCase()),
        showCoursePrice: body.show_course_price ?? false,
        removeOrphanedContent: body.remove_orphaned_content ?? false,
        settings: stored,
      });
      await nameIfUnnamed(trx, row.id, `${def.code} ${row.id}`);
      return (await findConfiguration(trx, row.id)) as ConfigurationRecord;
    }, 'channels.configuration.create');
    return presentConfiguration(created, def);
  }

  async update(auth: AuthContext, idRaw: string, raw: unknown): Promise<ConfigurationViewType> {
    const current = await this.#visible(auth, idRaw);
    const errors = shapeErrors(ConfigurationPatch, raw);
    const body = raw as Partial<ConfigurationPatchBody>;
    const def = this.#def(current.channelCode);
    if (def === undefined) throw new AppError('conflict', 'channel_unavailable', `The ${current.channelCode} channel is not available.`);
    let settings = current.settings;
    if (body.settings !== undefined && errors['settings'] === undefined) {
      // Secrets not given keep their stored value; a null removes an optional setting.
      const merged = { ...decryptSecrets(current.settings, def.adapter.secretFields, this.#d.secrets) };
      for (const [k, v] of Object.entries(body.settings)) {
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      this.#checkSettings(def, merged, errors);
      settings = merged;
    }
    const chunk = body.transmission_chunk_size ?? current.transmissionChunkSize;
    if (body.transmission_chunk_size !== undefined) this.#checkChunk(def, chunk, errors);
    if (body.catalogs_to_transmit !== undefined && errors['catalogs_to_transmit'] === undefined) {
      await this.#checkCatalogs(current.enterpriseCustomerUuid, body.catalogs_to_transmit, errors);
    }
    if (Object.keys(errors).length > 0) throw invalid(errors);

    const stored = body.settings !== undefined ? encryptSecrets(settings, def.adapter.secretFields, this.#d.secrets) : current.settings;
    const updated = await this.#d.db.transaction(async (trx) => {
      if (!(await lockConfiguration(trx, current.id))) throw notFound('configuration_not_found');
      await updateConfiguration(trx, current.id, {
        displayName: body.display_name ?? current.displayName,
        active: body.active ?? current.active,
        dryRunModeEnabled: body.dry_run_mode_enabled ?? current.dryRunModeEnabled,
        transmissionChunkSize: chunk,
        catalogsToTransmit: body.catalogs_to_transmit?.map((c) => c.toLowerCase()) ?? current.catalogsToTransmit,
        showCoursePrice: body.show_course_price ?? current.showCoursePrice,
        removeOrphanedContent: body.remove_orphaned_content ?? current.removeOrphanedContent,
        settings: stored,
      });
      return (await findConfiguration(trx, current.id)) as ConfigurationRecord;
    }, 'channels.configuration.update');
    return presentConfiguration(updated, def);
  }

  async remove(auth: AuthContext, idRaw: string): Promise<void> {
    const c = await this.#visible(auth, idRaw);
    if (!(await softDeleteConfiguration(this.#d.db.kysely, c.id))) throw notFound('configuration_not_found');
  }

  /** Record a task and queue a transmission of the configuration (coalesced with one already queued). */
  async requestTransmission(auth: AuthContext, idRaw: string): Promise<{ async_task_id: string }> {
    const c = await this.#visible(auth, idRaw);
    if (!c.active) throw new AppError('conflict', 'configuration_inactive', 'The configuration is not active.');
    const taskId = randomUUID();
    await this.#d.db.transaction(async (trx) => {
      await insertTransmitTask(trx, { id: taskId, configurationId: c.id, requestedBy: auth.username, enterpriseUuid: c.enterpriseCustomerUuid });
      await this.#d.jobs.enqueue('transmit_content_metadata', { configurationId: c.id, reason: 'on_demand', taskId }, { dedupKey: String(c.id), executor: trx });
    }, 'channels.transmit.request');
    return { async_task_id: taskId };
  }

  #checkSettings(def: ChannelDefinition, settings: unknown, errors: FieldErrors): void {
    for (const p of settingsProblems(def, settings)) addError(errors, 'settings', p);
  }

  #checkChunk(def: ChannelDefinition, chunk: number, errors: FieldErrors): void {
    const max = def.adapter.maxItemsPerCall;
    if (!Number.isInteger(chunk) || chunk < 1 || chunk > max) {
      addError(errors, 'transmission_chunk_size', `Must be an integer from 1 to ${max} for ${def.code}.`);
    }
  }

  /** Listed catalogs must be the customer's (upstream `clean()`). */
  async #checkCatalogs(customer: string, catalogs: readonly string[], errors: FieldErrors): Promise<void> {
    if (catalogs.length === 0) return;
    let owned: Set<string>;
    try {
      const list = await this.#d.catalog.forRun(new CatalogRequestCounter()).listCatalogs(customer);
      owned = new Set(list.map((c) => c.uuid.toLowerCase()));
    } catch (err) {
      throw new AppError('unavailable', 'catalog_unavailable', 'The catalog service could not be reached to check catalogs_to_transmit.', undefined, {
        cause: err,
      });
    }
    const foreign = catalogs.filter((c) => !owned.has(c.toLowerCase()));
    if (foreign.length > 0) addError(errors, 'catalogs_to_transmit', `Not catalogs of this customer: ${foreign.join(', ')}.`);
  }
}
