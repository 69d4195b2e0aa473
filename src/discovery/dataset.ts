/**
 * Synthetic course-discovery dataset: organizations, subjects, people, courses with runs and seats, programs and
 * learner pathways, deterministic by seed (course-discovery.md §3 shapes, §4 distributions).
 *
 * The dataset stores compact canonical entities (dates as epoch milliseconds, prices as numbers) and nothing
 * derived: availability, enrollability, marketability and every wire shape are computed from the entities and the
 * dataset clock (`asOf`) when presented. So `advanceDay()` only moves the clock and applies the day's churn, and
 * runs drift from "Starting Soon" to "Current" to "Archived" on their own, as they do upstream.
 *
 * The snapshot is plain JSON: `writeDataset` saves it, `loadDataset` restores it unchanged.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseFlags } from './cli-flags.js';
import { createRng, createWeightedPicker, type Rng } from './prng.js';
import {
  FAMILY_NAMES,
  GIVEN_NAMES,
  KNOWN_ORGANIZATIONS,
  LANGUAGES,
  ORG_KINDS,
  ORG_NAME_PARTS_A,
  ORG_NAME_PARTS_B,
  PATHWAY_THEMES,
  POSITIONS,
  SENTENCES,
  SKILLS,
  SUBJECTS,
  TITLE_TEMPLATES,
} from './dataset-vocabulary.js';

export const DAY_MS = 86_400_000;

export const DATASET_SIZES = {
  S: { courses: 200, programs: 20, pathways: 3, organizations: 30, persons: 40 },
  M: { courses: 1_500, programs: 125, pathways: 8, organizations: 100, persons: 200 },
  L: { courses: 6_000, programs: 500, pathways: 20, organizations: 250, persons: 600 },
} as const;
export type DatasetSize = keyof typeof DATASET_SIZES;
export const isDatasetSize = (value: string): value is DatasetSize => Object.hasOwn(DATASET_SIZES, value);

/** The clock of a freshly generated dataset. Fixed, so a seed alone determines every byte of the snapshot. */
export const DEFAULT_AS_OF = '2025-09-01T00:00:00Z';

export type RunStatus = 'published' | 'unpublished' | 'reviewed' | 'review_by_legal' | 'review_by_internal';
export type ProgramStatus = 'active' | 'unpublished' | 'retired' | 'deleted';
export type ProductSourceSlug = 'edx' | '2u' | 'emeritus';

export interface OrganizationEntity {
  uuid: string;
  key: string;
  name: string;
  slug: string;
  partner: string;
  hexColor: string | null;
  homepageUrl: string;
  modified: number;
}

export interface SubjectEntity {
  uuid: string;
  name: string;
  slug: string;
}

export interface PersonEntity {
  uuid: string;
  givenName: string;
  familyName: string;
  slug: string;
  position: string;
  orgKey: string;
  partner: string;
}

export interface SeatEntity {
  type: string;
  price: number;
  upgradeDeadline: number | null;
  sku: string;
  creditProvider: string | null;
  creditHours: number | null;
}

export interface RunEntity {
  key: string;
  uuid: string;
  runId: string;
  start: number;
  end: number | null;
  enrollmentStart: number | null;
  enrollmentEnd: number | null;
  goLiveDate: number | null;
  pacing: 'self_paced' | 'instructor_paced';
  status: RunStatus;
  hidden: boolean;
  restrictionType: string | null;
  seats: SeatEntity[];
  fixedPriceUsd: number | null;
  language: string;
  transcriptLanguages: string[];
  minEffort: number | null;
  maxEffort: number | null;
  weeksToComplete: number | null;
  staff: string[];
  mobileAvailable: boolean;
  enrollmentCount: number;
  modified: number;
}

export interface EntitlementEntity {
  mode: string;
  price: number;
  sku: string;
}

export interface CourseEntity {
  key: string;
  uuid: string;
  partner: string;
  org: string;
  coOrgs: string[];
  number: string;
  title: string;
  shortDescription: string;
  fullDescription: string;
  outcome: string;
  levelType: string | null;
  courseType: string;
  productSource: ProductSourceSlug;
  subjects: string[];
  skills: string[];
  runs: RunEntity[];
  entitlement: EntitlementEntity | null;
  enterpriseSubscriptionInclusion: boolean;
  externalCourseMarketingType: string | null;
  imageHash: string;
  urlSlug: string;
  enrollmentCount: number;
  recentEnrollmentCount: number;
  created: number;
  modified: number;
  /** Removed from the search index (as a course taken down upstream); `/courses/` still answers for it. */
  retired: boolean;
}

export interface ProgramEntity {
  uuid: string;
  title: string;
  subtitle: string;
  type: string;
  status: ProgramStatus;
  hidden: boolean;
  partner: string;
  courseKeys: string[];
  orgKeys: string[];
  marketingSlug: string;
  skills: string[];
  oneClickPurchase: boolean;
  recentEnrollmentCount: number;
  created: number;
  modified: number;
}

export interface PathwayStepEntity {
  uuid: string;
  minRequirement: number;
  courseKeys: string[];
  programUuids: string[];
}

export interface PathwayEntity {
  uuid: string;
  title: string;
  overview: string;
  status: 'active' | 'inactive';
  visibleViaAssociation: boolean;
  partner: string;
  steps: PathwayStepEntity[];
  skills: string[];
  created: number;
  modified: number;
}

/** The whole dataset as plain JSON (what `writeDataset` saves). */
export interface DatasetSnapshot {
  format: 'ecat-discovery-dataset';
  version: 1;
  size: DatasetSize | 'custom';
  seed: string;
  /** Days advanced since generation. */
  day: number;
  /** The dataset clock, epoch ms: "now" for availability, enrollability and `now` date math. */
  asOf: number;
  /** Counter for names minted by churn, so they never collide. */
  serial: number;
  organizations: OrganizationEntity[];
  subjects: SubjectEntity[];
  persons: PersonEntity[];
  courses: CourseEntity[];
  programs: ProgramEntity[];
  pathways: PathwayEntity[];
}

export interface GenerateOptions {
  size?: DatasetSize;
  seed?: string | number;
  /** ISO date-time of the dataset clock; defaults to `DEFAULT_AS_OF`. */
  asOf?: string;
  /** Override individual counts of the chosen size. */
  counts?: Partial<Record<keyof (typeof DATASET_SIZES)['S'], number>>;
}

/** What one `advanceDay()` did; keys are search `aggregation_key`s (courses, programs, pathways). */
export interface DayChurn {
  day: number;
  asOf: string;
  changed: string[];
  added: string[];
  retired: string[];
}

export interface DatasetCounts {
  courses: number;
  indexedCourses: number;
  runs: number;
  programs: number;
  pathways: number;
  organizations: number;
  persons: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Derived facts shared by the presenters and the search index (computed from entities and the clock)
// ---------------------------------------------------------------------------------------------------------------

export type Availability = 'Archived' | 'Current' | 'Starting Soon' | 'Upcoming';

/** Discovery's rule: ended → Archived; started → Current; starts within 60 days → Starting Soon; else Upcoming. */
export function runAvailability(run: RunEntity, now: number): Availability {
  if (run.end !== null && run.end < now) return 'Archived';
  if (run.start <= now) return 'Current';
  if (run.start < now + 60 * DAY_MS) return 'Starting Soon';
  return 'Upcoming';
}

export function runIsEnrollable(run: RunEntity, now: number): boolean {
  return (run.enrollmentEnd === null || run.enrollmentEnd >= now) && (run.enrollmentStart === null || run.enrollmentStart <= now);
}

export function runHasEnded(run: RunEntity, now: number): boolean {
  return run.end !== null && run.end < now;
}

/** Published, has seats and a marketing page; every run type in the dataset is a marketable type. */
export function runIsMarketable(run: RunEntity): boolean {
  return run.status === 'published' && run.seats.length > 0;
}

/** Discovery's `is_active` (search field `active`): marketable, enrollable and not ended. */
export function runIsActive(run: RunEntity, now: number): boolean {
  return runIsMarketable(run) && runIsEnrollable(run, now) && !runHasEnded(run, now);
}

const PAID_SEAT_ORDER = ['credit', 'professional', 'no-id-professional', 'verified', 'masters', 'audit', 'honor'];

/** The legacy run `type` (search `type` / `enrollment_mode`), from its seats; exec-ed runs have none. */
export function runLegacyType(run: RunEntity): string | null {
  for (const type of PAID_SEAT_ORDER) {
    if (run.seats.some((s) => s.type === type)) return type === 'no-id-professional' ? 'professional' : type;
  }
  return null;
}

/** The cheapest paid seat whose upgrade deadline has not passed (integer USD), or null. */
export function firstEnrollablePaidSeat(run: RunEntity, now: number): SeatEntity | null {
  let best: SeatEntity | null = null;
  for (const seat of run.seats) {
    if (seat.price <= 0) continue;
    if (seat.upgradeDeadline !== null && seat.upgradeDeadline < now) continue;
    if (best === null || seat.price < best.price) best = seat;
  }
  return best;
}

function isUpgradeable(run: RunEntity, now: number): boolean {
  return firstEnrollablePaidSeat(run, now) !== null;
}

/**
 * `advertised_course_run_uuid` (§3.6): among marketable runs, a current upgradeable run (latest start), else a
 * not-yet-started upgradeable run (earliest start), else any (latest start).
 */
export function advertisedRun(course: CourseEntity, now: number): RunEntity | null {
  const marketable = course.runs.filter((r) => runIsMarketable(r) && !r.hidden && r.restrictionType === null);
  let tier1: RunEntity | null = null;
  let tier2: RunEntity | null = null;
  let tier3: RunEntity | null = null;
  for (const run of marketable) {
    const started = run.start <= now;
    const upgradeable = isUpgradeable(run, now);
    if (started && !runHasEnded(run, now) && upgradeable) {
      if (tier1 === null || run.start > tier1.start) tier1 = run;
    } else if (!started && upgradeable) {
      if (tier2 === null || run.start < tier2.start) tier2 = run;
    } else if (tier3 === null || run.start > tier3.start) {
      tier3 = run;
    }
  }
  return tier1 ?? tier2 ?? tier3;
}

export function languageName(code: string): string {
  for (const [c, name] of LANGUAGES) if (c === code) return name;
  return code;
}

// ---------------------------------------------------------------------------------------------------------------
// The dataset
// ---------------------------------------------------------------------------------------------------------------

interface Lookups {
  version: number;
  courses: Map<string, CourseEntity>;
  programs: Map<string, ProgramEntity>;
  organizations: Map<string, OrganizationEntity>;
  subjects: Map<string, SubjectEntity>;
  persons: Map<string, PersonEntity>;
  programsByCourse: Map<string, ProgramEntity[]>;
}

/**
 * A live dataset: the simulator and the sample source read it on every request, so churn (`advanceDay`) and test
 * edits (`update`) show up immediately. `version` changes on every change; derived caches key on it.
 */
export class DiscoveryDataset {
  private lookups: Lookups | null = null;
  private changeVersion = 0;

  constructor(private readonly state: DatasetSnapshot) {}

  static generate(options: GenerateOptions = {}): DiscoveryDataset {
    return new DiscoveryDataset(generateSnapshot(options));
  }

  static fromJSON(value: unknown): DiscoveryDataset {
    if (typeof value !== 'object' || value === null || (value as { format?: unknown }).format !== 'ecat-discovery-dataset') {
      throw new Error('not an ecat discovery dataset (format field missing)');
    }
    const snapshot = value as DatasetSnapshot;
    if (snapshot.version !== 1) throw new Error(`unsupported dataset version ${String(snapshot.version)}`);
    return new DiscoveryDataset(snapshot);
  }

  get version(): number {
    return this.changeVersion;
  }
  get size(): DatasetSnapshot['size'] {
    return this.state.size;
  }
  get seed(): string {
    return this.state.seed;
  }
  get day(): number {
    return this.state.day;
  }
  /** The dataset clock in epoch ms. */
  get asOf(): number {
    return this.state.asOf;
  }
  now(): Date {
    return new Date(this.state.asOf);
  }

  get organizations(): readonly OrganizationEntity[] {
    return this.state.organizations;
  }
  get subjects(): readonly SubjectEntity[] {
    return this.state.subjects;
  }
  get persons(): readonly PersonEntity[] {
    return this.state.persons;
  }
  get courses(): readonly CourseEntity[] {
    return this.state.courses;
  }
  get programs(): readonly ProgramEntity[] {
    return this.state.programs;
  }
  get pathways(): readonly PathwayEntity[] {
    return this.state.pathways;
  }

  course(key: string): CourseEntity | undefined {
    return this.index().courses.get(key);
  }
  program(uuid: string): ProgramEntity | undefined {
    return this.index().programs.get(uuid);
  }
  organization(key: string): OrganizationEntity | undefined {
    return this.index().organizations.get(key);
  }
  subject(uuid: string): SubjectEntity | undefined {
    return this.index().subjects.get(uuid);
  }
  person(uuid: string): PersonEntity | undefined {
    return this.index().persons.get(uuid);
  }
  /** Programs (any status but deleted) that include the course. */
  programsOfCourse(courseKey: string): readonly ProgramEntity[] {
    return this.index().programsByCourse.get(courseKey) ?? [];
  }

  counts(): DatasetCounts {
    let runs = 0;
    let indexed = 0;
    for (const c of this.state.courses) {
      runs += c.runs.length;
      if (!c.retired) indexed++;
    }
    return {
      courses: this.state.courses.length,
      indexedCourses: indexed,
      runs,
      programs: this.state.programs.length,
      pathways: this.state.pathways.length,
      organizations: this.state.organizations.length,
      persons: this.state.persons.length,
    };
  }

  /**
   * Edit the dataset in place (tests: "change this price", "take that course down"). Bumps `version` so caches
   * rebuild; set `modified` yourself if the edit should look like an upstream change.
   */
  update(mutate: (state: DatasetSnapshot) => void): void {
    mutate(this.state);
    this.touch();
  }

  /** One day of upstream churn; deterministic for a given seed and day number. */
  advanceDay(): DayChurn {
    const churn = applyDailyChurn(this.state);
    this.touch();
    return churn;
  }

  toJSON(): DatasetSnapshot {
    return this.state;
  }

  private touch(): void {
    this.changeVersion++;
    this.lookups = null;
  }

  private index(): Lookups {
    if (this.lookups !== null && this.lookups.version === this.changeVersion) return this.lookups;
    const programsByCourse = new Map<string, ProgramEntity[]>();
    for (const p of this.state.programs) {
      if (p.status === 'deleted') continue;
      for (const key of p.courseKeys) {
        const list = programsByCourse.get(key);
        if (list) list.push(p);
        else programsByCourse.set(key, [p]);
      }
    }
    this.lookups = {
      version: this.changeVersion,
      courses: new Map(this.state.courses.map((c) => [c.key, c])),
      programs: new Map(this.state.programs.map((p) => [p.uuid, p])),
      organizations: new Map(this.state.organizations.map((o) => [o.key, o])),
      subjects: new Map(this.state.subjects.map((s) => [s.uuid, s])),
      persons: new Map(this.state.persons.map((p) => [p.uuid, p])),
      programsByCourse,
    };
    return this.lookups;
  }
}

export function generateDataset(options: GenerateOptions = {}): DiscoveryDataset {
  return DiscoveryDataset.generate(options);
}

// ---------------------------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------------------------

const RUN_COUNT_BUCKETS: readonly (readonly [readonly [number, number], number])[] = [
  [[1, 1], 40],
  [[2, 3], 35],
  [[4, 8], 20],
  [[11, 14], 5],
];

const AVAILABILITY_WEIGHTS: readonly (readonly [Availability, number])[] = [
  ['Archived', 60],
  ['Current', 28],
  ['Starting Soon', 5],
  ['Upcoming', 7],
];

const RUN_STATUS_WEIGHTS: readonly (readonly [RunStatus, number])[] = [
  ['published', 85],
  ['unpublished', 12],
  ['reviewed', 1],
  ['review_by_legal', 1],
  ['review_by_internal', 1],
];

const COURSE_TYPE_WEIGHTS: readonly (readonly [string, number])[] = [
  ['verified-audit', 79.5],
  ['audit', 5],
  ['professional', 5],
  ['executive-education-2u', 5],
  ['credit-verified-audit', 1],
  ['bootcamp-2u', 1],
  ['masters', 1],
  ['verified', 1],
  ['spoc-verified-audit', 0.5],
  ['empty', 0.5],
  ['emeritus-course', 0.5],
];

const LEVEL_WEIGHTS: readonly (readonly [string | null, number])[] = [
  ['Introductory', 58],
  ['Intermediate', 30],
  ['Advanced', 10],
  [null, 2],
];

const VERIFIED_PRICES: readonly (readonly [number, number])[] = [
  [49, 15],
  [99, 30],
  [149, 20],
  [199, 15],
  [299, 12],
  [399, 8],
];

const PROGRAM_TYPES: readonly (readonly [string, number])[] = [
  ['Professional Certificate', 60],
  ['XSeries', 15],
  ['MicroMasters', 12],
  ['Masters', 5],
  ['MicroBachelors', 2],
  ['Bachelors', 3],
  ['License', 3],
];

const PROGRAM_STATUS_WEIGHTS: readonly (readonly [ProgramStatus, number])[] = [
  ['active', 85],
  ['unpublished', 8],
  ['retired', 5],
  ['deleted', 2],
];

const PROGRAM_SIZE_WEIGHTS: readonly (readonly [readonly [number, number], number])[] = [
  [[2, 2], 20],
  [[3, 3], 30],
  [[4, 4], 20],
  [[5, 6], 18],
  [[7, 10], 12],
];

const SECOND_PARTNER = 'openedx';

export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Seconds precision, as discovery stores dates; keeps the JSON compact and ISO output exact. */
const atSecond = (ms: number): number => Math.floor(ms / 1000) * 1000;

function generateSnapshot(options: GenerateOptions): DatasetSnapshot {
  const size = options.size ?? 'S';
  const counts = { ...DATASET_SIZES[size], ...options.counts };
  const seed = String(options.seed ?? 1);
  const asOf = Date.parse(options.asOf ?? DEFAULT_AS_OF);
  if (Number.isNaN(asOf)) throw new Error(`invalid asOf ${String(options.asOf)}`);
  const root = createRng(`ecat-discovery:${seed}`);

  const organizations = generateOrganizations(root.fork('orgs'), counts.organizations, asOf);
  const subjects = SUBJECTS.map((s, i) => ({ uuid: root.fork('subjects').fork(i).uuid(), name: s.name, slug: slugify(s.name) }));
  const persons = generatePersons(root.fork('persons'), counts.persons, organizations);

  const snapshot: DatasetSnapshot = {
    format: 'ecat-discovery-dataset',
    version: 1,
    size: options.counts === undefined ? size : 'custom',
    seed,
    day: 0,
    asOf,
    serial: 0,
    organizations,
    subjects,
    persons,
    courses: [],
    programs: [],
    pathways: [],
  };
  const ctx = new GenerationContext(snapshot);
  const courseRng = root.fork('courses');
  for (let i = 0; i < counts.courses; i++) snapshot.courses.push(ctx.newCourse(courseRng, asOf - courseRng.int(30, 3000) * DAY_MS));
  const programRng = root.fork('programs');
  for (let i = 0; i < counts.programs; i++) snapshot.programs.push(ctx.newProgram(programRng));
  const pathwayRng = root.fork('pathways');
  for (let i = 0; i < counts.pathways; i++) snapshot.pathways.push(ctx.newPathway(pathwayRng));
  return snapshot;
}

function generateOrganizations(rng: Rng, count: number, asOf: number): OrganizationEntity[] {
  const out: OrganizationEntity[] = [];
  const used = new Set<string>();
  const add = (key: string, name: string): void => {
    used.add(key);
    const index = out.length;
    out.push({
      uuid: rng.uuid(),
      key,
      name,
      slug: slugify(key),
      // A small tail of organizations belongs to a second partner so `partner` filters have something to exclude.
      partner: index % 25 === 24 ? SECOND_PARTNER : 'edx',
      hexColor: rng.chance(0.5) ? `#${rng.hex(6)}` : null,
      homepageUrl: `https://www.${slugify(name).replace(/-/g, '')}.example.edu`,
      modified: atSecond(asOf - rng.int(1, 900) * DAY_MS),
    });
  };
  for (const [key, name] of KNOWN_ORGANIZATIONS.slice(0, count)) add(key, name);
  while (out.length < count) {
    const stem = `${rng.pick(ORG_NAME_PARTS_A)}${rng.pick(ORG_NAME_PARTS_B)}`;
    const key = `${stem}X`;
    if (used.has(key)) continue;
    const [before, after] = rng.pick(ORG_KINDS);
    add(key, `${before}${stem}${after}`);
  }
  return out;
}

function generatePersons(rng: Rng, count: number, orgs: readonly OrganizationEntity[]): PersonEntity[] {
  const out: PersonEntity[] = [];
  for (let i = 0; i < count; i++) {
    const givenName = rng.pick(GIVEN_NAMES);
    const familyName = rng.pick(FAMILY_NAMES);
    const org = rng.pick(orgs);
    out.push({
      uuid: rng.uuid(),
      givenName,
      familyName,
      slug: `${slugify(givenName)}-${slugify(familyName)}-${i}`,
      position: rng.pick(POSITIONS),
      orgKey: org.key,
      partner: org.partner,
    });
  }
  return out;
}

function fill(template: string, topic: string): string {
  return template.replace('{t}', topic);
}

function zipfWeights(n: number, s: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(1 / Math.pow(i + 1, s));
  return out;
}

/** Shared state while minting entities, at generation and during churn. */
class GenerationContext {
  private readonly pickOrg: (rng: Rng) => OrganizationEntity;
  private readonly pickCourseType = createWeightedPicker(COURSE_TYPE_WEIGHTS);
  private readonly pickLanguage = createWeightedPicker(LANGUAGES.map(([code, , w]) => [code, w] as const));
  private readonly courseKeys: Set<string>;
  private readonly personsByOrg = new Map<string, PersonEntity[]>();

  constructor(private readonly snapshot: DatasetSnapshot) {
    // Zipf-like: with 250 organizations the top 10 hold roughly a third of the courses (§4).
    const weights = zipfWeights(snapshot.organizations.length, 0.85);
    this.pickOrg = createWeightedPicker(snapshot.organizations.map((o, i) => [o, weights[i] ?? 0] as const));
    this.courseKeys = new Set(snapshot.courses.map((c) => c.key));
    for (const p of snapshot.persons) {
      const list = this.personsByOrg.get(p.orgKey);
      if (list) list.push(p);
      else this.personsByOrg.set(p.orgKey, [p]);
    }
  }

  newCourse(rng: Rng, created: number): CourseEntity {
    const asOf = this.snapshot.asOf;
    const org = this.pickOrg(rng);
    const subjectIndex = rng.int(0, SUBJECTS.length - 1);
    const subjectSpec = SUBJECTS[subjectIndex] ?? SUBJECTS[0];
    if (subjectSpec === undefined) throw new Error('no subjects');
    const subjectUuids = [this.snapshot.subjects[subjectIndex]?.uuid ?? ''];
    const extraSubjects = rng.weighted([
      [0, 50],
      [1, 35],
      [2, 15],
    ] as const);
    for (const s of rng.sample(this.snapshot.subjects, extraSubjects + 1)) {
      if (subjectUuids.length > extraSubjects) break;
      if (!subjectUuids.includes(s.uuid)) subjectUuids.push(s.uuid);
    }

    let number = '';
    let key = '';
    for (let attempt = 0; ; attempt++) {
      const suffix = rng.weighted([
        ['x', 50],
        ['', 25],
        ['.1x', 10],
        ['.2x', 5],
        ['X', 10],
      ] as const);
      number = `${subjectSpec.prefix}${rng.int(10, attempt > 20 ? 99_999 : 999)}${suffix}`;
      key = `${org.key}+${number}`;
      if (!this.courseKeys.has(key)) break;
    }
    this.courseKeys.add(key);
    this.liveCourses = null;

    let courseType = this.pickCourseType(rng);
    let productSource: ProductSourceSlug = 'edx';
    if (courseType === 'executive-education-2u' || courseType === 'bootcamp-2u') productSource = '2u';
    if (courseType === 'emeritus-course') {
      // Emeritus content sits in discovery but enterprise-catalog's admission rules drop it (§3.1).
      productSource = 'emeritus';
      courseType = 'executive-education-2u';
    }
    const topic = rng.pick(subjectSpec.topics);
    const title = fill(rng.pick(TITLE_TEMPLATES), topic);
    const language = this.pickLanguage(rng);
    const skills = rng.chance(0.4) ? [] : rng.sample(SKILLS, rng.int(1, 15));
    const uuid = rng.uuid();

    let entitlement: EntitlementEntity | null = null;
    const verifiedPrice = rng.weighted(VERIFIED_PRICES);
    const professionalPrice = rng.int(6, 30) * 50;
    const execEdPrice = rng.int(20, 70) * 50;
    if (courseType === 'executive-education-2u') entitlement = { mode: 'paid-executive-education', price: execEdPrice, sku: rng.hex(7).toUpperCase() };
    else if (courseType === 'professional') entitlement = { mode: 'professional', price: professionalPrice, sku: rng.hex(7).toUpperCase() };
    else if (['verified-audit', 'verified', 'credit-verified-audit'].includes(courseType)) {
      entitlement = { mode: 'verified', price: verifiedPrice, sku: rng.hex(7).toUpperCase() };
    }

    const course: CourseEntity = {
      key,
      uuid,
      partner: org.partner,
      org: org.key,
      coOrgs: rng.chance(0.05) ? [this.pickOrg(rng).key].filter((k) => k !== org.key) : [],
      number,
      title,
      shortDescription: `<p>${fill(rng.pick(SENTENCES), topic)}</p>`,
      fullDescription: `<p>${fill(rng.pick(SENTENCES), topic)} ${fill(rng.pick(SENTENCES), topic)}</p>`,
      outcome: `<ul><li>Understand ${topic}</li><li>Apply ${topic} to real cases</li></ul>`,
      levelType: rng.weighted(LEVEL_WEIGHTS),
      courseType,
      productSource,
      subjects: subjectUuids,
      skills,
      runs: [],
      entitlement,
      enterpriseSubscriptionInclusion:
        productSource === 'edx' && ['verified-audit', 'audit', 'verified'].includes(courseType) && rng.chance(0.65),
      externalCourseMarketingType:
        courseType === 'executive-education-2u'
          ? rng.weighted([
              ['short_course', 70],
              ['sprint', 15],
              ['course_stack', 15],
            ] as const)
          : null,
      imageHash: rng.hex(12),
      urlSlug: slugify(title),
      enrollmentCount: Math.floor(Math.pow(rng.next(), 3) * 200_000),
      recentEnrollmentCount: Math.floor(Math.pow(rng.next(), 3) * 5_000),
      created: atSecond(created),
      modified: atSecond(asOf - rng.int(1, 400) * DAY_MS - rng.int(0, 86_399) * 1000),
      retired: false,
    };

    const [lo, hi] = rng.weighted(RUN_COUNT_BUCKETS);
    const runCount = rng.int(lo, hi);
    const prices = { verifiedPrice, professionalPrice, execEdPrice };
    for (let i = 0; i < runCount; i++) this.addRun(rng, course, language, prices, rng.weighted(AVAILABILITY_WEIGHTS));
    return course;
  }

  addRun(
    rng: Rng,
    course: CourseEntity,
    language: string,
    prices: { verifiedPrice: number; professionalPrice: number; execEdPrice: number },
    availability: Availability,
  ): RunEntity {
    const asOf = this.snapshot.asOf;
    const pacing = rng.chance(0.65) ? 'self_paced' : 'instructor_paced';
    const durationDays = pacing === 'self_paced' ? rng.int(90, 365) : rng.int(4, 16) * 7;
    const hour = rng.pick([0, 13, 15, 16]) * 3_600_000;
    let start: number;
    let end: number | null;
    switch (availability) {
      case 'Archived':
        end = Math.floor(asOf / DAY_MS - rng.int(1, 6 * 365)) * DAY_MS + hour;
        start = end - durationDays * DAY_MS;
        break;
      case 'Current':
        start = Math.floor(asOf / DAY_MS - rng.int(1, 300)) * DAY_MS + hour;
        end = pacing === 'self_paced' && rng.chance(0.05) ? null : Math.floor(asOf / DAY_MS + rng.int(7, 400)) * DAY_MS + hour;
        break;
      case 'Starting Soon':
        start = Math.floor(asOf / DAY_MS + rng.int(1, 59)) * DAY_MS + hour;
        end = start + durationDays * DAY_MS;
        break;
      case 'Upcoming':
        start = Math.floor(asOf / DAY_MS + rng.int(60, 365)) * DAY_MS + hour;
        end = start + durationDays * DAY_MS;
        break;
    }
    const startDate = new Date(start);
    let runId = `${Math.floor(startDate.getUTCMonth() / 3) + 1}T${startDate.getUTCFullYear()}`;
    const taken = new Set(course.runs.map((r) => r.runId));
    for (let n = 0; taken.has(runId); n++) runId = `${runId.replace(/[a-z]+$/, '')}${String.fromCharCode(97 + (n % 26))}`;

    const enrollmentStart = rng.chance(0.7) ? start - rng.int(14, 90) * DAY_MS : null;
    let enrollmentEnd = rng.chance(0.4) ? (end ?? start + 365 * DAY_MS) - rng.int(0, 30) * DAY_MS : null;
    if (enrollmentEnd !== null && enrollmentStart !== null && enrollmentEnd < enrollmentStart) enrollmentEnd = null;
    const upgradeDeadline = end === null ? null : end - 10 * DAY_MS;

    const seat = (type: string, price: number, deadline: number | null = null): SeatEntity => ({
      type,
      price,
      upgradeDeadline: deadline,
      sku: rng.hex(7).toUpperCase(),
      creditProvider: type === 'credit' ? course.org.toLowerCase() : null,
      creditHours: type === 'credit' ? 3 : null,
    });
    const seats: SeatEntity[] = [];
    let fixedPriceUsd: number | null = null;
    switch (course.courseType) {
      case 'verified-audit':
      case 'spoc-verified-audit':
        seats.push(seat('audit', 0), seat('verified', prices.verifiedPrice, upgradeDeadline));
        break;
      case 'audit':
        seats.push(seat('audit', 0));
        break;
      case 'verified':
        seats.push(seat('verified', prices.verifiedPrice, upgradeDeadline));
        break;
      case 'credit-verified-audit':
        seats.push(seat('audit', 0), seat('verified', prices.verifiedPrice, upgradeDeadline), seat('credit', prices.verifiedPrice * 4));
        break;
      case 'professional':
        seats.push(seat(rng.chance(0.2) ? 'no-id-professional' : 'professional', prices.professionalPrice));
        break;
      case 'executive-education-2u':
        seats.push(seat('unpaid-executive-education', prices.execEdPrice));
        fixedPriceUsd = prices.execEdPrice;
        break;
      case 'bootcamp-2u':
        fixedPriceUsd = rng.int(18, 32) * 500;
        break;
      case 'masters':
        seats.push(seat('masters', 0));
        break;
      default:
        break;
    }

    const staffPool = this.personsByOrg.get(course.org) ?? this.snapshot.persons;
    const minEffort = rng.int(1, 9);
    const run: RunEntity = {
      key: `course-v1:${course.org}+${course.number}+${runId}`,
      uuid: rng.uuid(),
      runId,
      start: atSecond(start),
      end: end === null ? null : atSecond(end),
      enrollmentStart,
      enrollmentEnd,
      goLiveDate: rng.chance(0.5) ? start - rng.int(1, 30) * DAY_MS : null,
      pacing,
      status: rng.weighted(RUN_STATUS_WEIGHTS),
      hidden: rng.chance(0.02),
      restrictionType: rng.chance(0.007) ? 'custom-b2b-enterprise' : null,
      seats,
      fixedPriceUsd,
      language,
      transcriptLanguages: rng.chance(0.3) ? [language, 'en-us'].filter((v, i, a) => a.indexOf(v) === i) : [language],
      minEffort,
      maxEffort: minEffort + rng.int(0, 10),
      weeksToComplete: Math.max(1, Math.round(durationDays / 7)),
      staff: staffPool.length === 0 ? [] : rng.sample(staffPool, rng.int(0, 3)).map((p) => p.uuid),
      mobileAvailable: rng.chance(0.8),
      enrollmentCount: Math.floor(Math.pow(rng.next(), 3) * 50_000),
      modified: atSecond(Math.min(asOf, start) - rng.int(1, 60) * DAY_MS),
    };
    // Keep runs in start order: rerun lists read naturally and the "first visible run" is the oldest.
    let at = course.runs.length;
    while (at > 0 && (course.runs[at - 1]?.start ?? 0) > run.start) at--;
    course.runs.splice(at, 0, run);
    return run;
  }

  /** Live courses, overall and per organization; built on first use, dropped when a course is minted. */
  private liveCourses: { all: CourseEntity[]; byOrg: Map<string, CourseEntity[]> } | null = null;

  private live(): { all: CourseEntity[]; byOrg: Map<string, CourseEntity[]> } {
    if (this.liveCourses !== null) return this.liveCourses;
    const all = this.snapshot.courses.filter((c) => !c.retired);
    const byOrg = new Map<string, CourseEntity[]>();
    for (const c of all) {
      const list = byOrg.get(c.org);
      if (list) list.push(c);
      else byOrg.set(c.org, [c]);
    }
    this.liveCourses = { all, byOrg };
    return this.liveCourses;
  }

  newProgram(rng: Rng): ProgramEntity {
    const { all: courses, byOrg } = this.live();
    const anchor = rng.pick(courses);
    const [lo, hi] = rng.weighted(PROGRAM_SIZE_WEIGHTS);
    const wanted = rng.int(lo, hi);
    // Programs mostly bundle one organization's courses.
    const sameOrg = (byOrg.get(anchor.org) ?? []).filter((c) => c.key !== anchor.key);
    const chosen = [anchor, ...rng.sample(sameOrg, wanted - 1)];
    while (chosen.length < wanted) {
      const c = rng.pick(courses);
      if (!chosen.includes(c)) chosen.push(c);
    }
    const type = rng.weighted(PROGRAM_TYPES);
    const subjectName = this.snapshot.subjects.find((s) => s.uuid === anchor.subjects[0])?.name ?? 'Computer Science';
    const topic = rng.pick(SUBJECTS.find((s) => s.name === subjectName)?.topics ?? ['Learning']);
    const title =
      type === 'MicroMasters'
        ? `${topic} MicroMasters® Program`
        : type === 'XSeries'
          ? `${topic} XSeries`
          : type === 'Masters'
            ? `Master of Science in ${topic}`
            : `${topic} ${rng.pick(['Essentials', 'Foundations', 'for Professionals', 'Leadership', 'Skills'])}`;
    const org = this.snapshot.organizations.find((o) => o.key === anchor.org);
    const uuid = rng.uuid();
    return {
      uuid,
      title,
      subtitle: `Master ${topic} with ${org?.name ?? anchor.org}`,
      type,
      status: rng.weighted(PROGRAM_STATUS_WEIGHTS),
      hidden: rng.chance(0.03),
      partner: anchor.partner,
      courseKeys: chosen.map((c) => c.key),
      orgKeys: [...new Set(chosen.map((c) => c.org))].slice(0, 3),
      marketingSlug: `${slugify(title)}-${uuid.slice(0, 4)}`,
      skills: [...new Set(chosen.flatMap((c) => c.skills))].slice(0, 20),
      oneClickPurchase: rng.chance(0.6),
      recentEnrollmentCount: Math.floor(Math.pow(rng.next(), 3) * 8_000),
      created: atSecond(this.snapshot.asOf - rng.int(30, 2000) * DAY_MS),
      modified: atSecond(this.snapshot.asOf - rng.int(1, 300) * DAY_MS),
    };
  }

  newPathway(rng: Rng): PathwayEntity {
    const courses = this.live().all;
    const programs = this.snapshot.programs.filter((p) => p.status === 'active');
    const theme = rng.pick(PATHWAY_THEMES);
    const steps: PathwayStepEntity[] = [];
    const stepCount = rng.int(2, 5);
    for (let i = 0; i < stepCount; i++) {
      const items = rng.int(1, 4);
      const courseKeys: string[] = [];
      const programUuids: string[] = [];
      for (let j = 0; j < items; j++) {
        if (programs.length > 0 && rng.chance(0.25)) {
          const p = rng.pick(programs).uuid;
          if (!programUuids.includes(p)) programUuids.push(p);
        } else {
          const c = rng.pick(courses).key;
          if (!courseKeys.includes(c)) courseKeys.push(c);
        }
      }
      steps.push({ uuid: rng.uuid(), minRequirement: 1, courseKeys, programUuids });
    }
    const skills = [...new Set(steps.flatMap((s) => s.courseKeys).flatMap((k) => courses.find((c) => c.key === k)?.skills ?? []))];
    return {
      uuid: rng.uuid(),
      title: `${theme} Pathway`,
      overview: `<p>Become a ${theme.toLowerCase()} step by step, from fundamentals to advanced practice.</p>`,
      status: rng.chance(0.85) ? 'active' : 'inactive',
      visibleViaAssociation: rng.chance(0.7),
      partner: 'edx',
      steps,
      skills: skills.slice(0, 15),
      created: atSecond(this.snapshot.asOf - rng.int(30, 900) * DAY_MS),
      modified: atSecond(this.snapshot.asOf - rng.int(1, 200) * DAY_MS),
    };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Daily churn
// ---------------------------------------------------------------------------------------------------------------

/** Share of items (courses, programs, pathways) that get a real field change per simulated day. */
export const DAILY_CHANGE_RATE = 0.01;

type CourseMutation = (rng: Rng, course: CourseEntity, asOf: number, ctx: GenerationContext) => boolean;

/** Each mutation makes a real, visible change or reports false so another one is tried. */
const COURSE_MUTATIONS: readonly CourseMutation[] = [
  (rng, c) => {
    const title = `${c.title.replace(/ \(Edition \d+\)$/, '')} (Edition ${rng.int(2, 9)})`;
    if (title === c.title) return false;
    c.title = title;
    return true;
  },
  (rng, c) => {
    const text = `<p>${rng.pick(SENTENCES).replace('{t}', c.title)}</p>`;
    if (text === c.shortDescription) return false;
    c.shortDescription = text;
    return true;
  },
  (rng, c, asOf) => {
    // Price change on a run that is still sellable.
    const run = c.runs.find((r) => !runHasEnded(r, asOf) && r.seats.some((s) => s.price > 0));
    const seat = run?.seats.find((s) => s.price > 0);
    if (!run || !seat) return false;
    const choices = VERIFIED_PRICES.map(([p]) => p).filter((p) => p !== seat.price);
    seat.price = seat.type === 'verified' ? rng.pick(choices) : seat.price + rng.pick([-100, -50, 50, 100, 150]);
    if (seat.price <= 0) seat.price = 50;
    if (run.fixedPriceUsd !== null) run.fixedPriceUsd = seat.price;
    run.modified = asOf;
    return true;
  },
  (rng, c) => {
    const levels = ['Introductory', 'Intermediate', 'Advanced'].filter((l) => l !== c.levelType);
    c.levelType = rng.pick(levels);
    return true;
  },
  (rng, c) => {
    const candidates = SKILLS.filter((s) => !c.skills.includes(s));
    if (c.skills.length > 0 && rng.chance(0.3)) c.skills = c.skills.slice(1);
    else c.skills = [...c.skills, rng.pick(candidates)];
    return true;
  },
  (rng, c, _asOf, ctx) => {
    // A rerun is announced.
    const last = c.runs[c.runs.length - 1];
    const language = last?.language ?? 'en-us';
    const verified = last?.seats.find((s) => s.type === 'verified')?.price ?? 99;
    const paid = last?.seats.find((s) => s.price > 0)?.price ?? 500;
    const run = ctx.addRun(rng, c, language, { verifiedPrice: verified, professionalPrice: paid, execEdPrice: paid }, rng.chance(0.5) ? 'Starting Soon' : 'Upcoming');
    run.status = 'published';
    run.hidden = false;
    run.restrictionType = null;
    return true;
  },
  (_rng, c, asOf) => {
    const run = c.runs.find((r) => !runHasEnded(r, asOf) && r.status !== 'published');
    if (run) {
      run.status = 'published';
    } else {
      const live = c.runs.find((r) => !runHasEnded(r, asOf) && r.status === 'published');
      if (!live) return false;
      live.status = 'unpublished';
    }
    return true;
  },
  (rng, c, asOf) => {
    const run = c.runs.find((r) => !runHasEnded(r, asOf));
    if (!run) return false;
    run.enrollmentEnd = (run.enrollmentEnd ?? asOf) + rng.int(7, 60) * DAY_MS;
    run.modified = asOf;
    return true;
  },
  (_rng, c) => {
    if (c.productSource !== 'edx') return false;
    c.enterpriseSubscriptionInclusion = !c.enterpriseSubscriptionInclusion;
    return true;
  },
];

function applyDailyChurn(state: DatasetSnapshot): DayChurn {
  state.day += 1;
  state.asOf += DAY_MS;
  const asOf = state.asOf;
  const rng = createRng(`ecat-discovery:${state.seed}`).fork(`day:${state.day}`);
  const ctx = new GenerationContext(state);
  const changed: string[] = [];
  const added: string[] = [];
  const retired: string[] = [];
  // Changes happened during the day that just ended.
  const stamp = (): number => atSecond(asOf - rng.int(60, 86_000) * 1000);

  const live = state.courses.filter((c) => !c.retired);
  const touched = new Set<string>();

  // Retire a few: taken out of the search index, runs unpublished.
  const retireCount = Math.max(1, Math.round(live.length * 0.001));
  for (const course of rng.sample(live, retireCount)) {
    course.retired = true;
    for (const run of course.runs) run.status = 'unpublished';
    course.modified = stamp();
    touched.add(course.key);
    retired.push(`course:${course.key}`);
  }

  // About 1 % of the items get a real field change.
  const programs = state.programs.filter((p) => p.status !== 'deleted');
  const changeTarget = Math.max(1, Math.round((live.length + programs.length + state.pathways.length) * DAILY_CHANGE_RATE));
  const courseShare = live.length / Math.max(1, live.length + programs.length + state.pathways.length);
  const courseChanges = Math.round(changeTarget * courseShare);
  for (const course of rng.sample(
    live.filter((c) => !touched.has(c.key)),
    courseChanges,
  )) {
    for (let attempt = 0; attempt < 8; attempt++) {
      const mutation = rng.pick(COURSE_MUTATIONS);
      if (mutation(rng, course, asOf, ctx)) {
        course.modified = stamp();
        touched.add(course.key);
        changed.push(`course:${course.key}`);
        break;
      }
    }
  }
  const programChanges = changeTarget - courseChanges;
  for (const program of rng.sample(programs, programChanges)) {
    switch (rng.int(0, 3)) {
      case 0:
        program.title = `${program.title.replace(/ \(Updated \d+\)$/, '')} (Updated ${state.day})`;
        break;
      case 1:
        program.hidden = !program.hidden;
        break;
      case 2:
        program.status = program.status === 'active' ? 'unpublished' : 'active';
        break;
      default: {
        const extra = rng.pick(live);
        if (program.courseKeys.includes(extra.key) && program.courseKeys.length > 2) program.courseKeys = program.courseKeys.slice(0, -1);
        else if (!program.courseKeys.includes(extra.key)) program.courseKeys = [...program.courseKeys, extra.key];
        else program.subtitle = `${program.subtitle}.`;
      }
    }
    program.modified = stamp();
    changed.push(`program:${program.uuid}`);
  }
  if (state.pathways.length > 0 && rng.chance(0.1)) {
    const pathway = rng.pick(state.pathways);
    pathway.overview = `<p>${pathway.title}: refreshed on day ${state.day}.</p>`;
    pathway.modified = stamp();
    changed.push(`learnerpathway:${pathway.uuid}`);
  }

  // A few new courses; now and then a new program.
  const addCount = Math.max(1, Math.round(live.length * 0.001));
  for (let i = 0; i < addCount; i++) {
    state.serial += 1;
    const course = ctx.newCourse(rng, asOf);
    // A new course launches with a run learners can see.
    if (!course.runs.some((r) => !runHasEnded(r, asOf) && r.status === 'published')) {
      const run = course.runs[course.runs.length - 1];
      if (run) {
        run.status = 'published';
        if (runHasEnded(run, asOf)) run.end = asOf + 120 * DAY_MS;
      }
    }
    course.modified = stamp();
    state.courses.push(course);
    added.push(`course:${course.key}`);
  }
  if (rng.chance(0.2)) {
    const program = ctx.newProgram(rng);
    program.status = 'active';
    program.modified = stamp();
    state.programs.push(program);
    added.push(`program:${program.uuid}`);
  }
  return { day: state.day, asOf: new Date(asOf).toISOString(), changed, added, retired };
}

// ---------------------------------------------------------------------------------------------------------------
// Files and CLI
// ---------------------------------------------------------------------------------------------------------------

export interface WriteDatasetResult {
  path: string;
  bytes: number;
  counts: DatasetCounts;
  generateMs: number;
}

/** Generates a dataset and writes its snapshot as JSON (for `ecat dataset generate`). */
export async function writeDataset(size: DatasetSize, seed: string | number, outFile: string): Promise<WriteDatasetResult> {
  const started = performance.now();
  const dataset = generateDataset({ size, seed });
  const generateMs = Math.round(performance.now() - started);
  const text = JSON.stringify(dataset.toJSON());
  await mkdir(dirname(outFile), { recursive: true });
  await writeFile(outFile, text);
  return { path: outFile, bytes: Buffer.byteLength(text), counts: dataset.counts(), generateMs };
}

export async function loadDataset(file: string): Promise<DiscoveryDataset> {
  return DiscoveryDataset.fromJSON(JSON.parse(await readFile(file, 'utf8')));
}

const DATASET_USAGE = 'usage: ecat dataset generate --size S|M|L [--seed N] --out FILE';

/**
 * `ecat dataset generate --size L --out file.json [--seed N]`. Accepts argv with or without the leading
 * `generate`. Returns 0 on success, 1 when writing fails, 2 on bad usage.
 */
export async function runDatasetCommand(argv: string[]): Promise<number> {
  const args = argv[0] === 'generate' ? argv.slice(1) : argv;
  const flags = parseFlags(args, ['size', 'seed', 'out', 'help']);
  if (flags?.has('help')) {
    console.log(DATASET_USAGE);
    return 0;
  }
  const size = flags?.get('size') ?? 'S';
  const out = flags?.get('out');
  if (flags === null || out === undefined || !isDatasetSize(size)) {
    console.error(DATASET_USAGE);
    return 2;
  }
  const seed = flags.get('seed') ?? '1';
  try {
    const result = await writeDataset(size, seed, out);
    const c = result.counts;
    console.log(
      `wrote ${result.path}: ${c.courses} courses, ${c.runs} runs, ${c.programs} programs, ${c.pathways} pathways, ` +
        `${c.organizations} organizations (${(result.bytes / 1_048_576).toFixed(1)} MiB, generated in ${result.generateMs} ms)`,
    );
    return 0;
  } catch (error) {
    console.error(`dataset generate failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
