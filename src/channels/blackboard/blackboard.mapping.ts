/**
 * Blackboard Learn mapping (upstream `BlackboardContentMetadataExporter`): a course, plus an "edX Course Details"
 * folder holding one HTML document with the title, the enrollment link, the image and the description.
 */
import { createHash } from 'node:crypto';
import { Type, type Static } from 'typebox';
import type { CatalogContentItem, ChannelMapContext } from '../channel-adapter.js';
import { contentIdOf, descriptionOf, enrollmentUrlOf, imageUrlOf, titleOf, withExecEdPrefix } from '../mapping/content.js';
import { escapeHtml, truncate } from '../mapping/text.js';
import type { BlackboardSettings } from './blackboard.settings.js';

export const BLACKBOARD_DETAILS_TITLE = 'edX Course Details';
/** Blackboard's limit on a course name. */
export const BLACKBOARD_NAME_MAX = 333;

export const BlackboardPayloadSchema = Type.Object({
  externalId: Type.String({ minLength: 1 }),
  course_metadata: Type.Object({
    name: Type.String({ minLength: 1 }),
    externalId: Type.String({ minLength: 1 }),
    courseId: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.String(),
  }),
  course_content_metadata: Type.Object({
    title: Type.String(),
    position: Type.Number(),
    contentHandler: Type.Object({ id: Type.String() }),
  }),
  course_child_content_metadata: Type.Object({
    title: Type.String(),
    body: Type.String(),
    availability: Type.Object({ available: Type.String() }),
    contentHandler: Type.Object({ id: Type.String() }),
  }),
});

/** The audit row's `channel_metadata` for Blackboard. */
export type BlackboardPayload = Static<typeof BlackboardPayloadSchema>;

/**
 * Blackboard's `courseId` for a content id: digits of a SHA-256 of the id, the same in every process and release.
 * Upstream used Python's per-process randomised `hash()` (P16), so ids changed between workers.
 */
export function blackboardCourseId(contentId: string): string {
  return BigInt(`0x${createHash('sha256').update(contentId).digest('hex').slice(0, 15)}`).toString();
}

function enrollmentLink(url: string): string {
  return `<a href="${escapeHtml(url)}" target="_blank">Go to edX course page</a>`;
}

/** The HTML document inside the details folder. */
export function blackboardDetailsBody(item: CatalogContentItem): string {
  const url = enrollmentUrlOf(item) ?? '';
  const image = imageUrlOf(item);
  return [
    `<h1>${escapeHtml(titleOf(item))}</h1>`,
    `<p>${enrollmentLink(url)}</p>`,
    image ? `<p><img src="${escapeHtml(image)}" alt="${escapeHtml(titleOf(item))}" /></p>` : '',
    // Discovery descriptions are HTML already.
    `<div>${descriptionOf(item)}</div>`,
  ].join('');
}

export function mapBlackboardItem(raw: CatalogContentItem, _ctx: ChannelMapContext<BlackboardSettings>): BlackboardPayload {
  const item = withExecEdPrefix(raw);
  const externalId = contentIdOf(item);
  return {
    externalId,
    course_metadata: {
      name: truncate(titleOf(item) || externalId, BLACKBOARD_NAME_MAX),
      externalId,
      courseId: blackboardCourseId(externalId),
      description: enrollmentLink(enrollmentUrlOf(item) ?? ''),
    },
    course_content_metadata: {
      title: BLACKBOARD_DETAILS_TITLE,
      position: 0,
      contentHandler: { id: 'resource/x-bb-folder' },
    },
    course_child_content_metadata: {
      title: BLACKBOARD_DETAILS_TITLE,
      body: blackboardDetailsBody(item),
      availability: { available: 'Yes' },
      contentHandler: { id: 'resource/x-bb-document' },
    },
  };
}
