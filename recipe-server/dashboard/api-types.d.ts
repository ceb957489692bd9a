// The bodies of the recipe server's API that the dashboard reads and sends,
// for the type checker only (`tsc --noEmit`, see jsconfig.json): this file is
// never served, and nothing imports it at run time (the modules name it in
// JSDoc `@import` tags, which the browser reads as comments).
//
// Each interface is named as the schema it mirrors in recipe-server/openapi.snap.json
// (`components.schemas`), with the same properties, the same required ones and
// the same types (`integer` is `number`; a property that may be `null` is
// `T | null`). Where the document is looser than the server (a change's fields
// beyond `op`, the canonical document's ingredients and steps, the seed format
// the editor sends), the type follows the server's own definition and says
// which. api-types-check.d.ts makes the checker compare the names with the
// document's; docs/dashboard.md says how the rest is kept in step.

// ---------------------------------------------------------------------------
// Answers of every route

/** RFC 9457 problem details (`Problem`); `type` is urn:recipe-diff:problem:<code>. */
export interface Problem {
  type: string;
  code: string;
  title: string;
  status: number;
  detail: string;
  /** The JSON path in the document, for refused documents. */
  path?: string;
}

/** One page of a list (`GET /recipes`, `…/versions`, `…/makes`, `/rejections`). */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

// ---------------------------------------------------------------------------
// Recipes and versions

/** A recipe in `GET /recipes` (`RecipeSummary`). */
export interface RecipeSummary {
  recipeId: string;
  name: string;
  /** The newest version not withdrawn (the newest one, when all are). */
  currentVersion: number;
  /** SHA-256 of the current version's canonical JSON, hex. */
  contentHash?: string;
  rating?: number | null;
  makeCount: number;
  averageMakeRating?: number | null;
  updatedAt: string;
  /** Every version is withdrawn: the recipe's objects were deleted. Absent when false. */
  withdrawn?: boolean;
  /** The recipe this one is a variant of; absent for an original and after the parent's erasure. */
  variantOf?: Parent;
  /** A variant whose parent was erased (nothing of it is kept). Absent when false. */
  parentErased?: boolean;
}

/** A variant's parent, at the version it was made from (`Parent`). */
export interface Parent {
  recipeId: string;
  version: number;
}

/** Where a version came from (`VersionSource`). */
export type VersionSource =
  | { kind: 'uploaded' }
  | { kind: 'adopted'; makeId: string }
  | { kind: 'restored'; version: number };

/** A recipe in a variant's line back to its original (`Ancestor`), nearest first. */
export interface Ancestor {
  recipeId: string;
  /** The version its variant was made from. */
  version: number;
  name: string;
  /** Its own parent was erased: the line ends here. */
  parentErased?: boolean;
}

/** A variant of a recipe (`Variant`). */
export interface Variant {
  recipeId: string;
  name: string;
  currentVersion: number;
}

/** `GET /recipes/{recipeId}` (`RecipeVersion`). */
export interface RecipeVersion {
  recipeId: string;
  version: number;
  name: string;
  contentHash: string;
  createdAt: string;
  document: CanonicalRecipe;
  currentVersion: number;
  makeCount: number;
  averageMakeRating?: number | null;
  /** When the object this version came from was deleted. */
  withdrawnAt?: string;
  /** Every version is withdrawn. Absent when false. */
  withdrawn?: boolean;
  source: VersionSource;
  /** The parent and the version of it this variant was made from. */
  variantOf?: VersionAt;
  parentErased?: boolean;
  /** The line back to the original, nearest first. */
  lineage: Ancestor[];
  /** The first 100 variants, by id. */
  variants: Variant[];
}

/** A version in `GET /recipes/{recipeId}/versions` (`VersionSummary`). */
export interface VersionSummary {
  version: number;
  name: string;
  contentHash: string;
  createdAt: string;
  withdrawnAt?: string;
  source?: VersionSource;
  /** How many makes were diffed against it. */
  makeCount?: number;
  averageMakeRating?: number | null;
  /** The share (0 to 1) of its makes that changed the recipe; null without makes. */
  changedShare?: number | null;
}

/**
 * The canonical JSON of a recipe or a make's content (`CanonicalRecipe`;
 * docs/diff.md). The document types `ingredients` and `steps` as plain
 * objects; their fields here are shared/src/canonical.rs's.
 */
export interface CanonicalRecipe {
  recipeId: string;
  recipeName: string;
  rating?: number;
  recipeYield?: string;
  fields: Record<string, unknown>;
  ingredients: CanonicalIngredient[];
  steps: CanonicalStep[];
}

/** An ingredient of a canonical document (shared/src/canonical.rs `ingredient_fields`). */
export interface CanonicalIngredient {
  ingredientId?: string;
  ingredientName: string;
  quantity?: number;
  quantityMax?: number;
  measurement?: string;
  size?: string;
  packageSize?: Measure;
  plus?: Measure;
  alternative?: Measure;
  preparation?: string;
  note?: string;
  group?: string;
}

/** A step of a canonical document (shared/src/canonical.rs `step_fields`). */
export interface CanonicalStep {
  stepId?: string;
  stepText: string;
  section?: string;
}

/** A second measure on an ingredient, as documents write it (`Measure`). */
export interface Measure {
  quantity: number;
  quantityMax?: number;
  measurement?: string;
}

// ---------------------------------------------------------------------------
// Makes and their diffs

/** A make in `GET /recipes/{recipeId}/makes` (`MakeSummary`). */
export interface MakeSummary {
  makeId: string;
  version: number;
  madeAt?: string | null;
  createdAt: string;
  rating?: number | null;
  summary: Summary;
  scaleFactor?: number | null;
}

/** `GET /recipes/{recipeId}/makes/{makeId}` (`StoredMake`). */
export interface StoredMake {
  recipeId: string;
  makeId: string;
  version: number;
  madeAt?: string | null;
  notes?: string | null;
  rating?: number | null;
  createdAt: string;
  contentHash: string;
  document: CanonicalRecipe;
  diff: MakeDiff;
  /** Who logged it from the dashboard (the user id its object key names). */
  loggedBy?: string | null;
}

/** `POST /recipes/{recipeId}/diff`: a make diffed, nothing stored (`Preview`). */
export interface Preview {
  recipeId: string;
  version: number;
  document: CanonicalRecipe;
  diff: MakeDiff;
}

/** How a make differed from its recipe (`MakeDiff`). */
/** One recipe version, as `GET /compare` names it (`VersionAt`). */
export interface VersionAt {
  recipeId: string;
  version: number;
}

/** `GET /compare` (`Comparison`): how `to` differs from `from`. */
export interface Comparison {
  from: VersionAt;
  to: VersionAt;
  diff: MakeDiff;
}

export interface MakeDiff {
  recipeId: string;
  makeId?: string | null;
  summary: Summary;
  changes: Change[];
  patch: PatchOperation[];
  differences: Difference[];
}

/** An RFC 6902 operation (`PatchOperation`); the dashboard does not read them. */
export interface PatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

/** One entry of the seed's flat list of differences (`Difference`). */
export interface Difference {
  recipeId: string;
  makeId?: string | null;
  differenceField: string;
  difference: { recipe: unknown; make: unknown };
}

/** How many changes of each kind a diff has (`Summary`). */
export interface Summary {
  total: number;
  nameChanged: number;
  ratingChanged: number;
  fieldsChanged: number;
  scaled: number;
  ingredientsAdded: number;
  ingredientsRemoved: number;
  ingredientsRenamed: number;
  ingredientsSubstituted: number;
  ingredientsMoved: number;
  quantitiesChanged: number;
  unitsChanged: number;
  ingredientDetailsChanged: number;
  stepsInserted: number;
  stepsDeleted: number;
  stepsMoved: number;
  stepsEdited: number;
  stepDetailsChanged: number;
}

/**
 * One semantic change (`Change`). The document lists the `op`s only; each
 * one's fields here are shared/src/diff/mod.rs's `Change` as it serialises
 * (camelCase; an absent optional number is left out, an absent value is `null`).
 */
export type Change =
  | { op: 'name-changed'; before: string; after: string }
  | { op: 'rating-changed'; before: number | null; after: number | null; delta: number | null }
  | { op: 'field-changed'; field: string; before: unknown; after: unknown }
  | { op: 'scaled'; factor: number; consistent: number; compared: number; ingredients: ScaleEntry[] }
  | { op: 'ingredient-added'; makeIndex: number; ingredient: DiffIngredient }
  | { op: 'ingredient-removed'; recipeIndex: number; ingredient: DiffIngredient }
  | { op: 'ingredient-renamed'; recipeIndex: number; makeIndex: number; before: string; after: string }
  | {
      op: 'ingredient-substituted';
      recipeIndex: number;
      makeIndex: number;
      before: DiffIngredient;
      after: DiffIngredient;
    }
  | { op: 'ingredient-moved'; recipeIndex: number; makeIndex: number; ingredient: string }
  | {
      op: 'quantity-changed';
      recipeIndex: number;
      makeIndex: number;
      ingredient: string;
      before: Quantity | null;
      after: Quantity | null;
      unit?: string;
      ratio?: number;
      deviation?: number;
      /** A sum's added measure, when it changed with the amount. */
      plusBefore?: DiffMeasure;
      plusAfter?: DiffMeasure;
      /** The make's restatement of the amount was not changed with it (docs/diff.md). */
      restatementStale?: boolean;
    }
  | {
      op: 'unit-changed';
      recipeIndex: number;
      makeIndex: number;
      ingredient: string;
      before: Amount;
      after: Amount;
      equivalent: boolean;
      ratio?: number;
    }
  | {
      op: 'ingredient-detail-changed';
      recipeIndex: number;
      makeIndex: number;
      ingredient: string;
      field: 'size' | 'preparation' | 'note' | 'group' | 'ingredientId';
      before: string | null;
      after: string | null;
    }
  | { op: 'step-inserted'; makeIndex: number; step: DiffStep }
  | { op: 'step-deleted'; recipeIndex: number; step: DiffStep }
  | { op: 'step-moved'; recipeIndex: number; makeIndex: number; step: DiffStep }
  | {
      op: 'step-edited';
      recipeIndex: number;
      makeIndex: number;
      before: string;
      after: string;
      inline: InlineSpan[];
    }
  | {
      op: 'step-detail-changed';
      recipeIndex: number;
      makeIndex: number;
      field: 'section' | 'stepId';
      before: string | null;
      after: string | null;
    };

/** The change of one `op`: `ChangeOf<'scaled'>`. */
export type ChangeOf<Op extends Change['op']> = Extract<Change, { op: Op }>;

/** A quantity in a diff: one number, or a range (shared/src/quantity.rs). */
export interface Quantity {
  value: number;
  max?: number;
}

/** A second measure in a diff (shared/src/model.rs `Measure`). */
export interface DiffMeasure {
  quantity: Quantity;
  unit?: string;
}

/** An ingredient as a diff writes it (shared/src/model.rs `Ingredient`). */
export interface DiffIngredient {
  id?: string;
  name: string;
  quantity?: Quantity;
  unit?: string;
  size?: string;
  packageSize?: DiffMeasure;
  plus?: DiffMeasure;
  alternative?: DiffMeasure;
  preparation?: string;
  note?: string;
  group?: string;
}

/** A step as a diff writes it (shared/src/model.rs `Step`). */
export interface DiffStep {
  id?: string;
  text: string;
  section?: string;
}

/** An amount in a `unit-changed` change (shared/src/diff/mod.rs `Amount`). */
export interface Amount {
  quantity?: Quantity;
  unit?: string;
  packageSize?: DiffMeasure;
  plus?: DiffMeasure;
}

/** One ingredient's ratio in a scaled make (shared/src/diff/mod.rs `ScaleEntry`). */
export interface ScaleEntry {
  ingredient: string;
  ratio: number;
  deviation: number;
  /** The make's restatement of the amount was not scaled with it. */
  restatementStale?: boolean;
}

/** A part of an edited step's text (shared/src/diff/mod.rs `InlineSpan`). */
export interface InlineSpan {
  kind: 'equal' | 'insert' | 'delete';
  text: string;
}

// ---------------------------------------------------------------------------
// Insights

/** `GET /recipes/{recipeId}/insights` (`Insights`). */
export interface Insights {
  recipeId: string;
  makes: number;
  recipeRating?: number | null;
  averageMakeRating?: number | null;
  ratedMakes: number;
  changedMakes: number;
  ingredients: IngredientInsight[];
  substitutions: { from: string; to: string; count: number }[];
  scaleFactors: ScaleInsight[];
  steps: StepInsight[];
  months: PeriodInsight[];
  weeks: WeekInsight[];
  deviation: PeriodInsight[];
}

/** How many makes used one scale factor (`ScaleInsight`). */
export interface ScaleInsight {
  factor: number;
  count: number;
}

/** One month's, or one deviation bucket's, makes (`PeriodInsight`). */
export interface PeriodInsight {
  /** `YYYY-MM`, or a bucket of changes: `0`…`4`, `5–9`, `10+`. */
  span: string;
  makes: number;
  ratedMakes: number;
  averageRating: number | null;
  changedShare: number | null;
}

/** Makes in the week starting on a Monday (`WeekInsight`). */
export interface WeekInsight {
  week: string;
  makes: number;
}

/** `GET /insights` (`InsightsAcross`). */
export interface InsightsAcross {
  recipeId: string | null;
  from: string | null;
  to: string | null;
  recipes: number;
  makes: number;
  ratedMakes: number;
  averageMakeRating: number | null;
  changedMakes: number;
  ingredients: IngredientAcross[];
  substitutions: SubstitutionAcross[];
  steps: StepAcross[];
  scaleFactors: ScaleInsight[];
  months: PeriodInsight[];
  weeks: WeekInsight[];
  deviation: PeriodInsight[];
  versions: VersionShare[];
}

/** One ingredient across recipes (`IngredientAcross`). */
export interface IngredientAcross extends IngredientInsight {
  recipes: number;
}

/** One substitution across recipes (`SubstitutionAcross`). */
export interface SubstitutionAcross {
  from: string;
  to: string;
  count: number;
  recipes: number;
}

/** One step across recipes (`StepAcross`). */
export interface StepAcross extends StepInsight {
  recipes: number;
}

/** One recipe version's makes (`VersionShare`). */
export interface VersionShare {
  recipeId: string;
  name: string;
  version: number;
  source: VersionSource;
  makes: number;
  averageRating: number | null;
  changedShare: number | null;
}

/** How many makes changed one ingredient, and how (`Insights.ingredients`). */
export interface IngredientInsight {
  ingredient: string;
  changes: number;
  added: number;
  removed: number;
  substituted: number;
  renamed: number;
  quantity: number;
  unit: number;
}

/** How often one step was changed (`Insights.steps`). */
export interface StepInsight {
  step: string;
  edited: number;
  skipped: number;
  moved: number;
}

// ---------------------------------------------------------------------------
// Rejections

/** An upload the chain refused (`StoredRejection`). */
export interface StoredRejection {
  rejectionId: string;
  objectKey?: string | null;
  kind?: string | null;
  code: string;
  message: string;
  path: string;
  createdAt: string;
}

// ---------------------------------------------------------------------------
// What the dashboard sends

/** `POST /uploads` (`UploadRequest`). */
export interface UploadRequest {
  /** `make` goes under makes/, `recipe` under recipes/. */
  kind: 'make' | 'recipe';
  /** A plain file name ending in .json, .jsonld, .html or .htm. */
  fileName: string;
}

/** `POST /imports` (`ImportRequest`): the link to a recipe page. */
export interface ImportRequest {
  /** The page's http or https URL. */
  url: string;
}

/** `POST /imports`' answer (`Imported`): the page is in the bucket. */
export interface Imported {
  /** The object key the page was stored under: the one to follow. */
  key: string;
  /** The URL the page was read from, after any redirects. */
  url: string;
}

/** `POST /uploads`' answer: a signed form for one upload (`UploadForm`). */
export interface UploadForm {
  /** Where to post the form. */
  url: string;
  /** The form's fields, to post before the file. */
  fields: Record<string, string>;
  /** The object key the upload will have. */
  key: string;
  /** When the form stops being accepted (RFC 3339, UTC). */
  expiresAt: string;
}

/**
 * A make in the seed format, as the editor builds it from a canonical
 * version (`SeedDocument`, one of `RecipeDocument`'s forms). The document's
 * schema lists fewer fields than the seed reader takes: docs/formats.md (and
 * shared/src/parse/seed.rs) also allow a quantity as text (`"1 1/2"`), an
 * ingredient's `quantityMax` and `group` and a step's `section`, and keep any
 * other top-level field (the canonical document's `fields`, spread back).
 */
export interface SeedDocument {
  recipeName: string;
  recipeId: string | number;
  rating?: number;
  recipeYield?: string;
  ingredients?: SeedIngredient[];
  steps?: SeedStep[];
  makeId?: string | number;
  madeAt?: string;
  notes?: string;
  variantOf?: string | number;
  adoptedFrom?: string | number;
  restoredFrom?: number;
  [field: string]: unknown;
}

/** An ingredient of a seed document. */
export interface SeedIngredient extends Omit<CanonicalIngredient, 'quantity'> {
  quantity?: number | string;
}

/** A step of a seed document. */
export type SeedStep = CanonicalStep;

// ---------------------------------------------------------------------------
// The dashboard's own route

/** `GET /dashboard/config.json`: how the page signs its reads. */
export type DashboardConfig =
  | { auth: 'none' }
  | {
      auth: 'cognito';
      /** The hosted UI's host name. */
      domain: string;
      /** `https://<domain>`. */
      origin: string;
      clientId: string;
    };

// ---------------------------------------------------------------------------
// The routes the dashboard calls, so that a call to a path the API does not
// have, or a body read as the wrong type, fails the check. Paths are relative
// to the page (a stage prefix works), with `{id}` segments as `${string}`.

/** The paths the dashboard reads (GET). */
export type ReadPath = 'recipes' | `recipes/${string}` | 'rejections' | 'compare' | 'insights';

/** The body `GET path` answers. */
export type ReadBody<P extends ReadPath> = P extends 'recipes'
  ? Page<RecipeSummary>
  : P extends 'compare'
    ? Comparison
  : P extends 'insights'
    ? InsightsAcross
  : P extends 'rejections'
    ? Page<StoredRejection>
    : P extends `recipes/${string}/makes/${string}/differences`
      ? Differences
      : P extends `recipes/${string}/makes/${string}`
        ? StoredMake
        : P extends `recipes/${string}/makes`
          ? Page<MakeSummary>
          : P extends `recipes/${string}/versions`
            ? Page<VersionSummary>
            : P extends `recipes/${string}/insights`
              ? Insights
              : RecipeVersion;

/** The paths whose answer is a page of a list. */
export type ListPath = 'recipes' | 'rejections' | `recipes/${string}/makes` | `recipes/${string}/versions`;

/** An item of the list `GET path` answers. */
export type ListItem<P extends ListPath> = ReadBody<P> extends Page<infer T> ? T : never;

/** The paths the dashboard posts to, each with its request and its answer. */
export interface Writes {
  uploads: { request: UploadRequest; answer: UploadForm };
  imports: { request: ImportRequest; answer: Imported };
  [diff: `recipes/${string}/diff`]: { request: SeedDocument; answer: Preview };
}

/** `GET /recipes/{recipeId}/makes/{makeId}/differences` (`Differences`). */
export interface Differences {
  recipeId: string;
  makeId: string;
  version: number;
  differences: Difference[];
}
