/**
 * HTTP routes of the integrated channels: configurations (CRUD and on-demand transmission), the content sync status
 * report, and Cornerstone's pull endpoints. Thin: each declares its schemas and makes one service call.
 */
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext, HttpApp } from '../app-context.js';
import {
  AnyObjectBody,
  ConfigurationListQuery,
  ConfigurationPage,
  ConfigurationView,
  CsodQuery,
  Detail,
  IdParams,
  SyncStatusPage,
  SyncStatusParams,
  SyncStatusQuery,
  TransmitAccepted,
} from './channels.schemas.js';
import type { ChannelServices } from './channel-services.js';
import { contentSyncStatus } from './reporting.service.js';

const BASE = '/api/v1/integrated-channels/configurations';
const tags = ['integrated-channels'];

function requestUrl(req: FastifyRequest): URL {
  return new URL(req.url, `${req.protocol}://${req.host}`);
}

export function channelRoutes(app: HttpApp, ctx: AppContext, s: ChannelServices): void {
  const errors = { '4xx': Detail };

  app.get(
    `${BASE}/`,
    {
      schema: {
        tags,
        summary: 'Channel configurations the caller administers',
        querystring: ConfigurationListQuery,
        response: { 200: ConfigurationPage, ...errors },
      },
    },
    async (req) => s.configurations.list(await ctx.authenticate(req), { ...req.query, url: requestUrl(req) }),
  );

  app.post(
    `${BASE}/`,
    {
      schema: {
        tags,
        summary: 'Create a channel configuration',
        description:
          'Body: enterprise_customer, channel_code (GENERIC, CSOD, SAP, DEGREED2, CANVAS, BLACKBOARD, MOODLE), display_name, active, ' +
          'dry_run_mode_enabled, transmission_chunk_size, catalogs_to_transmit (uuids of the customer; empty = all), show_course_price, ' +
          'remove_orphaned_content, settings (per channel). Secret settings are write-only. A 400 lists every bad field.',
        body: AnyObjectBody,
        response: { 201: ConfigurationView, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(await s.configurations.create(await ctx.authenticate(req), req.body)),
  );

  app.get(
    `${BASE}/:id/`,
    { schema: { tags, summary: 'One channel configuration', params: IdParams, response: { 200: ConfigurationView, ...errors } } },
    async (req) => s.configurations.get(await ctx.authenticate(req), req.params.id),
  );

  app.patch(
    `${BASE}/:id/`,
    {
      schema: {
        tags,
        summary: 'Change a channel configuration',
        description: '`settings` is merged into the stored settings (a null removes a setting); secrets not given are kept.',
        params: IdParams,
        body: AnyObjectBody,
        response: { 200: ConfigurationView, ...errors },
      },
    },
    async (req) => s.configurations.update(await ctx.authenticate(req), req.params.id, req.body),
  );

  app.delete(
    `${BASE}/:id/`,
    {
      schema: { tags, summary: 'Delete a channel configuration (soft delete)', params: IdParams, response: { 204: Type.Null({ description: 'deleted' }), ...errors } },
    },
    async (req, reply) => {
      await s.configurations.remove(await ctx.authenticate(req), req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    `${BASE}/:id/transmit/`,
    {
      schema: {
        tags,
        summary: "Transmit the configuration's content now",
        description: 'Queues a transmission (coalesced with one already queued); failed items are retried without waiting for their back-off.',
        params: IdParams,
        response: { 200: TransmitAccepted, ...errors },
      },
    },
    async (req) => s.configurations.requestTransmission(await ctx.authenticate(req), req.params.id),
  );

  app.get(
    '/api/v1/integrated-channels/logs/content_sync_status/:customer_uuid/:channel_code/:configuration_id/',
    {
      schema: {
        tags,
        summary: 'Sync status of every content item of a configuration',
        description: 'Filter with `?content_title=`, `?content_id=`, `?sync_status=` (contains); sort with `sort_by=<field>` or `-<field>`.',
        params: SyncStatusParams,
        querystring: SyncStatusQuery,
        response: { 200: SyncStatusPage, ...errors },
      },
    },
    async (req) =>
      contentSyncStatus(
        ctx.db,
        await ctx.authenticate(req),
        { customerUuid: req.params.customer_uuid, channelCode: req.params.channel_code, configurationId: req.params.configuration_id },
        req.query,
        requestUrl(req),
      ),
  );

  for (const [path, summary, run] of [
    ['/cornerstone/course-list', 'Cornerstone: every current item of the customer', s.csod.courseList.bind(s.csod)],
    ['/cornerstone/course-updates', 'Cornerstone: items changed since the last poll (marked transmitted)', s.csod.courseUpdates.bind(s.csod)],
  ] as const) {
    app.get(
      path,
      {
        schema: {
          tags: ['cornerstone'],
          summary,
          description: '`ciid` = the enterprise customer uuid. `If-Modified-Since` lifts older `LastModifiedUTC` values to its time.',
          querystring: CsodQuery,
        },
      },
      async (req) => {
        const auth = await ctx.authenticate(req);
        const header = req.headers['if-modified-since'];
        return run(auth, {
          ciid: typeof req.query.ciid === 'string' ? req.query.ciid : undefined,
          ...(typeof req.query.count === 'string' ? { count: req.query.count } : {}),
          ...(typeof header === 'string' ? { ifModifiedSince: header } : {}),
          url: requestUrl(req).toString(),
          headers: req.headers,
        });
      },
    );
  }
}
