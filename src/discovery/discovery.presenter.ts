/**
 * Wire shapes from dataset entities: `search/all` hits (§3.2–3.5), `/courses/` items (§3.6–3.7) and
 * `/programs/?extended=True` items (§3.8). Everything time-dependent is computed against the dataset clock.
 */
import type { Static } from 'typebox';
import { paramLast, pythonStr, type QueryParams } from './filter-evaluator.js';
import { createRng } from './prng.js';
import {
  DAY_MS,
  advertisedRun,
  firstEnrollablePaidSeat,
  languageName,
  runAvailability,
  runHasEnded,
  runIsActive,
  runIsEnrollable,
  runIsMarketable,
  runLegacyType,
  slugify,
  type CourseEntity,
  type DiscoveryDataset,
  type OrganizationEntity,
  type PathwayEntity,
  type PersonEntity,
  type ProgramEntity,
  type RunEntity,
  type SeatEntity,
} from './dataset.js';
import type {
  Course,
  CourseHit,
  CourseRun,
  CourseRunHit,
  Image,
  LearnerPathwayHit,
  MinimalCourse,
  MinimalCourseRun,
  Organization,
  PersonHit,
  ProgramExtended,
  ProgramHit,
  SearchHit,
  Seat,
  Skill,
  Staff,
  Subject,
} from './discovery.schemas.js';
import { SKILL_CATEGORIES } from './dataset-vocabulary.js';

/** What an indexed document was built from. */
export type IndexedItem =
  | { readonly type: 'course'; readonly course: CourseEntity }
  | { readonly type: 'courserun'; readonly course: CourseEntity; readonly run: RunEntity }
  | { readonly type: 'program'; readonly program: ProgramEntity }
  | { readonly type: 'learnerpathway'; readonly pathway: PathwayEntity }
  | { readonly type: 'person'; readonly person: PersonEntity };

const CDN = 'https://prod-discovery.edx-cdn.org';
const MARKETING = 'https://www.edx.org';

/** `YYYY-MM-DDTHH:MM:SSZ`, as search documents format dates. */
export function isoSeconds(ms: number): string {
  const iso = new Date(ms).toISOString();
  // `YYYY-MM-DDTHH:mm:ss.sssZ`, cut at the seconds (a regular expression here was 4 % of a bench refresh's upstream);
  // years beyond 9999 come in the longer `±YYYYYY` form and keep the general rule.
  return iso.length === 24 ? `${iso.slice(0, 19)}Z` : iso.replace(/\.\d{3}Z$/, 'Z');
}
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : isoSeconds(ms));
/** DRF date-times carry microseconds on `modified`-like fields. */
const isoMicro = (ms: number): string => new Date(ms).toISOString().replace(/Z$/, '000Z');
const decimal = (n: number): string => n.toFixed(2);

/** Stable uuids for reference rows (course types, run types, program types) that the dataset does not store. */
const referenceUuids = new Map<string, string>();
function referenceUuid(label: string): string {
  let uuid = referenceUuids.get(label);
  if (uuid === undefined) {
    uuid = createRng(`reference:${label}`).uuid();
    referenceUuids.set(label, uuid);
  }
  return uuid;
}

function skillObjects(names: readonly string[]): Static<typeof Skill>[] {
  return names.map((name, i) => {
    const [category, subcategory] = SKILL_CATEGORIES[(name.length + i) % SKILL_CATEGORIES.length] ?? ['General', 'General'];
    return {
      name,
      description: `${name} is a skill used across many roles.`,
      category: { name: category },
      subcategory: { name: subcategory, category: { name: category } },
    };
  });
}

export function courseMarketingUrl(ds: DiscoveryDataset, course: CourseEntity): string {
  const subject = ds.subject(course.subjects[0] ?? '')?.slug ?? 'course';
  return `${MARKETING}/learn/${subject}/${slugify(ds.organization(course.org)?.name ?? course.org)}-${course.urlSlug}`;
}

function courseImageUrl(course: CourseEntity): string {
  return `${CDN}/media/course/image/${course.uuid}-${course.imageHash}.small.jpeg`;
}

function orgLabel(ds: DiscoveryDataset, key: string): string {
  return `${key}: ${ds.organization(key)?.name ?? key}`;
}

function ownersOf(course: CourseEntity): string[] {
  return [course.org, ...course.coOrgs];
}

function visibleRuns(course: CourseEntity, includeRestricted: ReadonlySet<string>): RunEntity[] {
  return course.runs.filter((r) => r.restrictionType === null || includeRestricted.has(r.restrictionType));
}

/** `include_restricted=custom-b2b-enterprise,custom-b2c` as a set. */
export function restrictedTypesAllowed(params: QueryParams): Set<string> {
  return new Set(
    (paramLast(params, 'include_restricted') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  );
}

function estimatedHours(run: RunEntity): number {
  if (run.minEffort === null || run.maxEffort === null || run.weeksToComplete === null) return 0;
  return Math.round(((run.minEffort + run.maxEffort) / 2) * run.weeksToComplete);
}

function courseLength(run: RunEntity | null): string | null {
  if (run?.weeksToComplete == null) return null;
  if (run.weeksToComplete <= 4) return 'short';
  if (run.weeksToComplete <= 8) return 'medium';
  return 'long';
}

/** Latest end among published runs; null when none is published or one never ends. */
export function courseEndDate(course: CourseEntity, runs: readonly RunEntity[] = course.runs): number | null {
  let end: number | null = null;
  for (const run of runs) {
    if (run.status !== 'published' || run.end === null) continue;
    if (end === null || run.end > end) end = run.end;
  }
  return end;
}

export function courseEnds(course: CourseEntity, now: number, runs: readonly RunEntity[] = course.runs): 'Future' | 'Past' {
  const open = runs.some((r) => r.status === 'published' && (r.end === null || r.end > now));
  return open ? 'Future' : 'Past';
}

// ---------------------------------------------------------------------------------------------------------------
// search/all hits
// ---------------------------------------------------------------------------------------------------------------

export interface HitContext {
  readonly ds: DiscoveryDataset;
  readonly now: number;
  /** The request's parameters (URL plus merged body): they decide which expired runs a course hit keeps. */
  readonly params: QueryParams;
}

function courseHitRun(run: RunEntity, now: number): Static<typeof CourseHit>['course_runs'][number] {
  const seat = firstEnrollablePaidSeat(run, now);
  return {
    key: run.key,
    enrollment_start: isoOrNull(run.enrollmentStart),
    enrollment_end: isoOrNull(run.enrollmentEnd),
    go_live_date: isoOrNull(run.goLiveDate),
    start: isoSeconds(run.start),
    end: isoOrNull(run.end),
    modified: isoSeconds(run.modified),
    availability: runAvailability(run, now),
    status: run.status,
    pacing_type: run.pacing,
    enrollment_mode: runLegacyType(run),
    min_effort: run.minEffort,
    max_effort: run.maxEffort,
    weeks_to_complete: run.weeksToComplete,
    estimated_hours: estimatedHours(run),
    first_enrollable_paid_seat_price: seat === null ? 0 : Math.floor(seat.price),
    is_enrollable: runIsEnrollable(run, now),
    restriction_type: run.restrictionType,
    fixed_price_usd: run.fixedPriceUsd,
  };
}

/**
 * `exclude_expired_course_run` (§2.7): a nested run is kept if it has not ended, or if a request parameter has
 * the name of one of its attributes and that value (discovery's quirk: `status=published` keeps expired runs).
 */
function keepExpiredRun(hitRun: Readonly<Record<string, unknown>>, params: QueryParams): boolean {
  for (const [name, value] of params) {
    if (Object.hasOwn(hitRun, name) && hitRun[name] !== null && pythonStr(hitRun[name]) === value) return true;
  }
  return false;
}

export function presentCourseHit(course: CourseEntity, ctx: HitContext): CourseHit {
  const { ds, now, params } = ctx;
  const excludeExpired = (paramLast(params, 'exclude_expired_course_run') ?? '') !== '';
  const runs = visibleRuns(course, restrictedTypesAllowed(params));
  const nested: CourseHit['course_runs'] = [];
  for (const run of runs) {
    const hitRun = courseHitRun(run, now);
    if (!excludeExpired || !runHasEnded(run, now) || keepExpiredRun(hitRun, params)) nested.push(hitRun);
  }
  const seatRuns = excludeExpired ? runs.filter((r) => !runHasEnded(r, now)) : runs;
  const languageRuns = excludeExpired ? runs.filter((r) => runIsActive(r, now)) : runs;
  const endDate = courseEndDate(course, runs);
  return {
    aggregation_key: `course:${course.key}`,
    content_type: 'course',
    key: course.key,
    uuid: course.uuid,
    title: course.title,
    short_description: course.shortDescription,
    full_description: course.fullDescription,
    card_image_url: null,
    image_url: courseImageUrl(course),
    course_runs: nested,
    seat_types: [...new Set(seatRuns.flatMap((r) => r.seats.map((s) => s.type)))],
    skill_names: course.skills,
    skills: skillObjects(course.skills),
    end_date: isoOrNull(endDate),
    course_ends: courseEnds(course, now, runs),
    subjects: course.subjects.map((u) => ds.subject(u)?.name ?? u),
    languages: [...new Set(languageRuns.map((r) => languageName(r.language)))],
    organizations: ownersOf(course).map((k) => orgLabel(ds, k)),
    course_type: course.courseType,
    course_length: courseLength(advertisedRun(course, now)),
    enterprise_subscription_inclusion: course.enterpriseSubscriptionInclusion,
    external_course_marketing_type: course.externalCourseMarketingType,
    product_source: course.productSource,
  };
}

export function presentCourseRunHit(course: CourseEntity, run: RunEntity, ctx: HitContext): CourseRunHit {
  const { ds, now } = ctx;
  const seat = firstEnrollablePaidSeat(run, now);
  const orgs = ownersOf(course).map((k) => ds.organization(k));
  return {
    aggregation_key: `courserun:${course.key}`,
    content_type: 'courserun',
    key: run.key,
    number: course.number,
    org: course.org,
    partner: course.partner,
    title: course.title,
    short_description: course.shortDescription,
    full_description: course.fullDescription,
    image_url: courseImageUrl(course),
    marketing_url: courseMarketingUrl(ds, course),
    authoring_organization_uuids: orgs.flatMap((o) => (o ? [o.uuid] : [])),
    logo_image_urls: orgs.flatMap((o) => (o ? [orgLogo(o)] : [])),
    staff_uuids: run.staff,
    subject_uuids: course.subjects,
    start: isoSeconds(run.start),
    end: isoOrNull(run.end),
    enrollment_start: isoOrNull(run.enrollmentStart),
    enrollment_end: isoOrNull(run.enrollmentEnd),
    go_live_date: isoOrNull(run.goLiveDate),
    availability: runAvailability(run, now),
    has_enrollable_seats: run.seats.length > 0 && runIsEnrollable(run, now),
    is_enrollable: runIsEnrollable(run, now),
    first_enrollable_paid_seat_price: seat === null ? null : Math.floor(seat.price),
    first_enrollable_paid_seat_sku: seat?.sku ?? null,
    seat_types: run.seats.map((s) => s.type),
    type: runLegacyType(run),
    fixed_price_usd: run.fixedPriceUsd,
    restriction_type: run.restrictionType,
    level_type: course.levelType,
    language: languageName(run.language),
    transcript_languages: run.transcriptLanguages.map(languageName),
    pacing_type: run.pacing,
    min_effort: run.minEffort,
    max_effort: run.maxEffort,
    weeks_to_complete: run.weeksToComplete,
    mobile_available: run.mobileAvailable,
    program_types: [...new Set(ds.programsOfCourse(course.key).filter((p) => p.status === 'active').map((p) => p.type))],
    published: run.status === 'published',
    skill_names: course.skills,
    skills: skillObjects(course.skills),
  };
}

function orgLogo(org: OrganizationEntity): string {
  return `${CDN}/organization/logos/${org.uuid}-${org.slug}.png`;
}

export function presentOrganization(org: OrganizationEntity): Static<typeof Organization> {
  return {
    uuid: org.uuid,
    key: org.key,
    name: org.name,
    auto_generate_course_run_keys: true,
    certificate_logo_image_url: `${CDN}/organization/certificate_logos/${org.uuid}-${org.slug}.png`,
    logo_image_url: orgLogo(org),
    organization_hex_color: org.hexColor,
    data_modified_timestamp: isoMicro(org.modified),
    description: `<p>${org.name} offers courses on edX.</p>`,
    description_es: '',
    homepage_url: org.homepageUrl,
    tags: [],
    marketing_url: `${MARKETING}/school/${org.slug}`,
    slug: org.slug,
    banner_image_url: null,
    enterprise_subscription_inclusion: org.partner === 'edx',
  };
}

function programCourses(ds: DiscoveryDataset, program: ProgramEntity): CourseEntity[] {
  return program.courseKeys.flatMap((k) => {
    const c = ds.course(k);
    return c ? [c] : [];
  });
}

function programMarketingUrl(program: ProgramEntity): string {
  return `${MARKETING}/${slugify(program.type)}/${program.marketingSlug}`;
}

export function presentProgramHit(program: ProgramEntity, ctx: HitContext): ProgramHit {
  const { ds } = ctx;
  const courses = programCourses(ds, program);
  const runs = courses.flatMap((c) => c.runs);
  const orgs = program.orgKeys.flatMap((k) => {
    const o = ds.organization(k);
    return o ? [o] : [];
  });
  const efforts = runs.filter((r) => r.minEffort !== null);
  const weeks = runs.flatMap((r) => (r.weeksToComplete === null ? [] : [r.weeksToComplete]));
  return {
    aggregation_key: `program:${program.uuid}`,
    content_type: 'program',
    uuid: program.uuid,
    title: program.title,
    subtitle: program.subtitle,
    type: program.type,
    status: program.status,
    published: program.status === 'active',
    hidden: program.hidden,
    partner: program.partner,
    marketing_url: programMarketingUrl(program),
    card_image_url: `${CDN}/media/programs/card_images/${program.uuid}.jpg`,
    language: [...new Set(runs.map((r) => languageName(r.language)))],
    authoring_organizations: orgs.map(presentOrganization),
    authoring_organization_uuids: orgs.map((o) => o.uuid),
    subject_uuids: [...new Set(courses.flatMap((c) => c.subjects))],
    staff_uuids: [...new Set(runs.flatMap((r) => r.staff))].slice(0, 10),
    skill_names: program.skills,
    skills: skillObjects(program.skills),
    min_hours_effort_per_week: efforts.length === 0 ? null : Math.min(...efforts.map((r) => r.minEffort ?? 0)),
    max_hours_effort_per_week: efforts.length === 0 ? null : Math.max(...efforts.map((r) => r.maxEffort ?? 0)),
    weeks_to_complete_min: weeks.length === 0 ? null : Math.min(...weeks),
    weeks_to_complete_max: weeks.length === 0 ? null : Math.max(...weeks),
    is_program_eligible_for_one_click_purchase: program.oneClickPurchase,
    search_card_display: [],
    is_2u_degree_program: false,
    excluded_from_search: false,
    excluded_from_seo: false,
  };
}

function image(url: string, width: number, height: number): { url: string; width: number; height: number } {
  return { url, width, height };
}

export function presentLearnerPathwayHit(pathway: PathwayEntity, ctx: HitContext): LearnerPathwayHit {
  const { ds } = ctx;
  const base = `${CDN}/media/learner_pathway/${pathway.uuid}`;
  return {
    aggregation_key: `learnerpathway:${pathway.uuid}`,
    content_type: 'learnerpathway',
    uuid: pathway.uuid,
    title: pathway.title,
    status: pathway.status,
    overview: pathway.overview,
    published: pathway.status === 'active',
    visible_via_association: pathway.visibleViaAssociation,
    created: isoSeconds(pathway.created),
    partner: pathway.partner,
    skills: skillObjects(pathway.skills),
    skill_names: pathway.skills,
    banner_image: {
      large: image(`${base}/banner-large.jpg`, 1440, 480),
      medium: image(`${base}/banner-medium.jpg`, 726, 242),
      small: image(`${base}/banner-small.jpg`, 435, 145),
    },
    card_image: { card: image(`${base}/card.jpg`, 378, 225) },
    steps: pathway.steps.map((step) => ({
      uuid: step.uuid,
      min_requirement: step.minRequirement,
      courses: step.courseKeys.flatMap((key) => {
        const c = ds.course(key);
        if (!c) return [];
        return [
          {
            key: c.key,
            course_runs: c.runs.map((r) => ({ key: r.key })),
            title: c.title,
            short_description: c.shortDescription,
            card_image_url: courseImageUrl(c),
            content_type: 'course' as const,
          },
        ];
      }),
      programs: step.programUuids.flatMap((uuid) => {
        const p = ds.program(uuid);
        if (!p) return [];
        return [
          {
            uuid: p.uuid,
            title: p.title,
            short_description: p.subtitle,
            card_image_url: `${CDN}/media/programs/card_images/${p.uuid}.jpg`,
            content_type: 'program' as const,
            courses: programCourses(ds, p).map((c) => ({ key: c.key, course_runs: c.runs.map((r) => ({ key: r.key })) })),
          },
        ];
      }),
    })),
  };
}

export function presentPersonHit(person: PersonEntity, ctx: HitContext): PersonHit {
  const org = ctx.ds.organization(person.orgKey);
  return {
    aggregation_key: `person:${person.uuid}`,
    content_type: 'person',
    uuid: person.uuid,
    full_name: `${person.givenName} ${person.familyName}`,
    bio: `<p>${person.givenName} ${person.familyName} teaches at ${org?.name ?? person.orgKey}.</p>`,
    position: `${person.position} at ${org?.name ?? person.orgKey}`,
    organizations: org ? [org.name] : [],
    profile_image_url: `${CDN}/media/people/profile_images/${person.uuid}.jpeg`,
    partner: person.partner,
  };
}

/** The search/all hit of any indexed item (course, courserun, program, learnerpathway or person). */
export function presentSearchHit(item: IndexedItem, ctx: HitContext): SearchHit {
  switch (item.type) {
    case 'course':
      return presentCourseHit(item.course, ctx);
    case 'courserun':
      return presentCourseRunHit(item.course, item.run, ctx);
    case 'program':
      return presentProgramHit(item.program, ctx);
    case 'learnerpathway':
      return presentLearnerPathwayHit(item.pathway, ctx);
    case 'person':
      return presentPersonHit(item.person, ctx);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// /courses/
// ---------------------------------------------------------------------------------------------------------------

export interface CourseListOptions {
  /** `include_hidden_course_runs=1`. */
  includeHidden?: boolean;
  /** Restriction types named in `include_restricted`. */
  includeRestricted?: ReadonlySet<string>;
}

function presentSeat(seat: SeatEntity): Static<typeof Seat> {
  return {
    type: seat.type,
    price: decimal(seat.price),
    currency: 'USD',
    upgrade_deadline: isoOrNull(seat.upgradeDeadline),
    upgrade_deadline_override: null,
    credit_provider: seat.creditProvider,
    credit_hours: seat.creditHours,
    sku: seat.sku,
    bulk_sku: null,
  };
}

function presentStaff(ds: DiscoveryDataset, uuid: string): Static<typeof Staff> | null {
  const person = ds.person(uuid);
  if (!person) return null;
  const org = ds.organization(person.orgKey);
  return {
    uuid: person.uuid,
    given_name: person.givenName,
    family_name: person.familyName,
    bio: `<p>${person.givenName} ${person.familyName} teaches at ${org?.name ?? person.orgKey}.</p>`,
    profile_image_url: `${CDN}/media/people/profile_images/${person.uuid}.jpeg`,
    slug: person.slug,
    position: { title: person.position, organization_name: org?.name ?? person.orgKey },
    areas_of_expertise: [],
    urls: {},
    email: null,
  };
}

function courseImage(course: CourseEntity): Static<typeof Image> {
  return { src: courseImageUrl(course), description: null, height: null, width: null };
}

function firstPaidPrice(run: RunEntity, now: number): number | null {
  const seat = firstEnrollablePaidSeat(run, now);
  return seat === null ? null : Math.floor(seat.price);
}

export function presentCourseRun(ds: DiscoveryDataset, course: CourseEntity, run: RunEntity, now: number): CourseRun {
  return {
    key: run.key,
    uuid: run.uuid,
    title: course.title,
    external_key: null,
    course: course.key,
    course_uuid: course.uuid,
    variant_id: course.courseType === 'executive-education-2u' ? run.uuid : null,
    image: courseImage(course),
    short_description: course.shortDescription,
    full_description: course.fullDescription,
    outcome: course.outcome,
    video: null,
    marketing_url: courseMarketingUrl(ds, course),
    announcement: null,
    seats: run.seats.map(presentSeat),
    first_enrollable_paid_seat_price: firstPaidPrice(run, now),
    fixed_price_usd: run.fixedPriceUsd === null ? null : decimal(run.fixedPriceUsd),
    start: isoSeconds(run.start),
    end: isoOrNull(run.end),
    go_live_date: isoOrNull(run.goLiveDate),
    enrollment_start: isoOrNull(run.enrollmentStart),
    enrollment_end: isoOrNull(run.enrollmentEnd),
    weeks_to_complete: run.weeksToComplete,
    pacing_type: run.pacing,
    min_effort: run.minEffort,
    max_effort: run.maxEffort,
    estimated_hours: estimatedHours(run),
    type: course.courseType === 'executive-education-2u' ? null : runLegacyType(run),
    run_type: referenceUuid(`run-type:${course.courseType}`),
    restriction_type: run.restrictionType,
    status: run.status,
    is_enrollable: runIsEnrollable(run, now),
    is_marketable: runIsMarketable(run),
    is_marketable_external: runIsMarketable(run) && course.productSource !== 'edx',
    availability: runAvailability(run, now),
    hidden: run.hidden,
    reporting_type: 'mooc',
    content_language: run.language,
    transcript_languages: run.transcriptLanguages,
    content_language_search_facet_name: languageName(run.language),
    transcript_languages_search_facet_names: run.transcriptLanguages.map(languageName),
    ai_languages: null,
    staff: run.staff.flatMap((u) => {
      const s = presentStaff(ds, u);
      return s ? [s] : [];
    }),
    instructors: [],
    license: '',
    modified: isoMicro(run.modified),
    level_type: course.levelType,
    mobile_available: run.mobileAvailable,
    eligible_for_financial_aid: true,
    has_ofac_restrictions: null,
    ofac_comment: '',
    enrollment_count: run.enrollmentCount,
    recent_enrollment_count: Math.floor(run.enrollmentCount / 20),
    expected_program_type: null,
    expected_program_name: '',
    enterprise_subscription_inclusion: course.enterpriseSubscriptionInclusion,
  };
}

function presentSubject(ds: DiscoveryDataset, uuid: string): Static<typeof Subject> | null {
  const s = ds.subject(uuid);
  if (!s) return null;
  return {
    name: s.name,
    subtitle: `Learn about ${s.name.toLowerCase()}.`,
    description: `<p>Courses in ${s.name}.</p>`,
    banner_image_url: `${CDN}/media/subjects/${s.slug}-banner.jpg`,
    card_image_url: `${CDN}/media/subjects/${s.slug}-card.jpg`,
    slug: s.slug,
    uuid: s.uuid,
  };
}

function programTypeAttrs(type: string): { uuid: string; slug: string; coaching_supported: boolean } {
  return { uuid: referenceUuid(`program-type:${type}`), slug: slugify(type), coaching_supported: type === 'MicroBachelors' };
}

const PRODUCT_SOURCES = {
  edx: { name: 'edX', slug: 'edx', description: 'Open courses' },
  '2u': { name: '2U', slug: '2u', description: '2U, Trilogy, Getsmarter -- external source for 2u courses and programs' },
  emeritus: { name: 'Emeritus', slug: 'emeritus', description: 'Emeritus executive education' },
} as const;

function presentEntitlements(course: CourseEntity): Course['entitlements'] {
  if (course.entitlement === null) return [];
  return [{ mode: course.entitlement.mode, price: decimal(course.entitlement.price), currency: 'USD', sku: course.entitlement.sku, expires: null }];
}

/** A `/courses/` item (CourseWithProgramsSerializer): hidden and restricted runs dropped unless asked for. */
export function presentCourse(ds: DiscoveryDataset, course: CourseEntity, now: number, options: CourseListOptions = {}): Course {
  const includeRestricted = options.includeRestricted ?? new Set<string>();
  const runs = visibleRuns(course, includeRestricted).filter((r) => options.includeHidden === true || !r.hidden);
  const advertised = advertisedRun(course, now);
  const execEd = course.courseType === 'executive-education-2u';
  return {
    key: course.key,
    uuid: course.uuid,
    title: course.title,
    short_description: course.shortDescription,
    full_description: course.fullDescription,
    outcome: course.outcome,
    syllabus_raw: null,
    prerequisites_raw: null,
    prerequisites: [],
    expected_learning_items: [],
    additional_information: null,
    faq: null,
    learner_testimonials: null,
    extra_description: null,
    image: courseImage(course),
    original_image: courseImage(course),
    card_image_url: null,
    video: null,
    marketing_url: `${courseMarketingUrl(ds, course)}?utm_source=enterprise&utm_medium=affiliate_partner`,
    url_slug: course.urlSlug,
    url_slug_history: [course.urlSlug],
    url_redirects: [],
    course_runs: runs.map((r) => presentCourseRun(ds, course, r, now)),
    entitlements: presentEntitlements(course),
    course_run_keys: runs.map((r) => r.key),
    course_run_statuses: [...new Set(runs.map((r) => r.status))].sort(),
    canonical_course_run_key: advertised?.key ?? runs[runs.length - 1]?.key ?? null,
    advertised_course_run_uuid: advertised?.uuid ?? null,
    owners: ownersOf(course).flatMap((k) => {
      const o = ds.organization(k);
      return o ? [presentOrganization(o)] : [];
    }),
    sponsors: [],
    type: referenceUuid(`course-type:${course.courseType}`),
    course_type: course.courseType,
    level_type: course.levelType,
    subjects: course.subjects.flatMap((u) => {
      const s = presentSubject(ds, u);
      return s ? [s] : [];
    }),
    topics: [],
    skill_names: course.skills,
    skills: skillObjects(course.skills),
    programs: ds.programsOfCourse(course.key).map((p) => ({
      uuid: p.uuid,
      title: p.title,
      type: p.type,
      type_attrs: programTypeAttrs(p.type),
      marketing_slug: p.marketingSlug,
      marketing_url: programMarketingUrl(p),
      number_of_courses: p.courseKeys.length,
    })),
    additional_metadata: execEd
      ? {
          external_identifier: course.uuid.slice(0, 8),
          external_url: `https://execed.example.com/${course.urlSlug}`,
          lead_capture_form_url: `https://execed.example.com/${course.urlSlug}/lead`,
          facts: [],
          certificate_info: null,
          organic_url: `https://execed.example.com/${course.urlSlug}?organic=1`,
          start_date: isoOrNull(advertised?.start ?? null),
          end_date: isoOrNull(advertised?.end ?? null),
          registration_deadline: isoOrNull(advertised?.enrollmentEnd ?? (advertised ? advertised.start - 7 * DAY_MS : null)),
          variant_id: advertised?.uuid ?? null,
          course_term_override: null,
          product_status: 'published',
          product_meta: null,
          external_course_marketing_type: course.externalCourseMarketingType,
          display_on_org_page: true,
          taxi_form: null,
        }
      : null,
    product_source: PRODUCT_SOURCES[course.productSource],
    geolocation: null,
    location_restriction: null,
    in_year_value: { per_lead_usa: 0, per_lead_international: 0, per_click_usa: 0, per_click_international: 0 },
    enterprise_subscription_inclusion: course.enterpriseSubscriptionInclusion,
    excluded_from_seo: false,
    excluded_from_search: false,
    key_for_reruns: '',
    editors: [],
    collaborators: [],
    organization_short_code_override: '',
    organization_logo_override_url: null,
    data_modified_timestamp: isoMicro(course.modified),
    watchers: [],
    editable: false,
    modified: isoMicro(course.modified),
    enrollment_count: course.enrollmentCount,
    recent_enrollment_count: course.recentEnrollmentCount,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// /programs/?extended=True
// ---------------------------------------------------------------------------------------------------------------

function presentMinimalRun(course: CourseEntity, run: RunEntity, now: number, ds: DiscoveryDataset): Static<typeof MinimalCourseRun> {
  return {
    key: run.key,
    uuid: run.uuid,
    title: course.title,
    external_key: null,
    fixed_price_usd: run.fixedPriceUsd === null ? null : decimal(run.fixedPriceUsd),
    image: courseImage(course),
    short_description: course.shortDescription,
    marketing_url: courseMarketingUrl(ds, course),
    seats: run.seats.map(presentSeat),
    start: isoSeconds(run.start),
    end: isoOrNull(run.end),
    go_live_date: isoOrNull(run.goLiveDate),
    enrollment_start: isoOrNull(run.enrollmentStart),
    enrollment_end: isoOrNull(run.enrollmentEnd),
    weeks_to_complete: run.weeksToComplete,
    pacing_type: run.pacing,
    type: course.courseType === 'executive-education-2u' ? null : runLegacyType(run),
    restriction_type: run.restrictionType,
    run_type: referenceUuid(`run-type:${course.courseType}`),
    status: run.status,
    is_enrollable: runIsEnrollable(run, now),
    is_marketable: runIsMarketable(run),
    is_marketable_external: runIsMarketable(run) && course.productSource !== 'edx',
    availability: runAvailability(run, now),
    variant_id: null,
  };
}

function presentMinimalCourse(ds: DiscoveryDataset, course: CourseEntity, now: number): Static<typeof MinimalCourse> {
  const runs = course.runs.filter((r) => !r.hidden && r.restrictionType === null);
  return {
    key: course.key,
    uuid: course.uuid,
    title: course.title,
    course_runs: runs.map((r) => presentMinimalRun(course, r, now, ds)),
    entitlements: presentEntitlements(course),
    owners: ownersOf(course).flatMap((k) => {
      const o = ds.organization(k);
      return o ? [presentOrganization(o)] : [];
    }),
    image: courseImage(course),
    short_description: course.shortDescription,
    type: referenceUuid(`course-type:${course.courseType}`),
    url_slug: course.urlSlug,
    course_type: course.courseType,
    enterprise_subscription_inclusion: course.enterpriseSubscriptionInclusion,
    excluded_from_seo: false,
    excluded_from_search: false,
    course_run_statuses: [...new Set(runs.map((r) => r.status))].sort(),
  };
}

/** A `/programs/?extended=True` item (MinimalExtendedProgramSerializer). */
export function presentProgram(ds: DiscoveryDataset, program: ProgramEntity, now: number): ProgramExtended {
  const courses = programCourses(ds, program);
  const banner = `${CDN}/media/programs/banner_images/${program.uuid}`;
  const prices = courses.map((c) => {
    const run = advertisedRun(c, now);
    const seat = run ? firstEnrollablePaidSeat(run, now) : null;
    return seat?.price ?? c.entitlement?.price ?? 0;
  });
  const hours = courses.flatMap((c) => c.runs.slice(-1)).reduce((sum, r) => sum + estimatedHours(r), 0);
  return {
    uuid: program.uuid,
    title: program.title,
    subtitle: program.subtitle,
    type: program.type,
    type_attrs: programTypeAttrs(program.type),
    status: program.status,
    hidden: program.hidden,
    labels: [],
    marketing_slug: program.marketingSlug,
    marketing_url: programMarketingUrl(program),
    marketing_hook: `Build skills in ${program.title}`,
    banner_image: {
      large: image(`${banner}.large.jpg`, 1440, 480),
      medium: image(`${banner}.medium.jpg`, 726, 242),
      small: image(`${banner}.small.jpg`, 435, 145),
      'x-small': image(`${banner}.x-small.jpg`, 348, 116),
    },
    card_image_url: `${CDN}/media/programs/card_images/${program.uuid}.jpg`,
    courses: courses.map((c) => presentMinimalCourse(ds, c, now)),
    authoring_organizations: program.orgKeys.flatMap((k) => {
      const o = ds.organization(k);
      return o ? [presentOrganization(o)] : [];
    }),
    degree: null,
    curricula: [],
    expected_learning_items: [],
    organization_short_code_override: '',
    organization_logo_override_url: null,
    primary_subject_override: null,
    level_type_override: null,
    language_override: null,
    program_duration_override: null,
    total_hours_of_effort: hours === 0 ? null : hours,
    is_program_eligible_for_one_click_purchase: program.oneClickPurchase,
    price_ranges:
      prices.length === 0
        ? []
        : [{ currency: 'USD', min: Math.min(...prices), max: Math.max(...prices), total: prices.reduce((a, b) => a + b, 0) }],
    subscription_eligible: null,
    subscription_prices: [],
    recent_enrollment_count: program.recentEnrollmentCount,
    taxi_form: null,
    data_modified_timestamp: isoMicro(program.modified),
    excluded_from_search: false,
    excluded_from_seo: false,
    has_ofac_restrictions: null,
    ofac_comment: '',
    course_run_statuses: [...new Set(courses.flatMap((c) => c.runs.map((r) => r.status)))].sort(),
  };
}
