// api-types.d.ts checked against recipe-server/openapi.snap.json (the
// generated document's reviewed snapshot, tests/openapi.rs) by the type
// checker itself (`tsc`, see jsconfig.json): each interface has exactly the
// properties its schema lists (or, where the document is looser than the
// server, at least those), and each path the dashboard calls is one the
// document has. A schema or path renamed, added to or taken from the
// document fails the check until api-types.d.ts follows. JSON gives the
// checker the names only (every string in it is just `string` to the
// checker): that a property is required, its type and an enum's values are
// kept in step by reading (docs/dashboard.md).

import type openapi from '../openapi.snap.json';
import type * as Api from './api-types.js';

type Schemas = (typeof openapi)['components']['schemas'];
type Paths = keyof (typeof openapi)['paths'];
/** The property names of a schema, or of a nested object schema. */
type Names<S> = S extends { properties: infer P } ? keyof P : never;
/** The variants of a `oneOf` schema, as a union. */
type Variant<S> = S extends { oneOf: readonly (infer V)[] } ? V : never;
/** Every property name of any member of a union type. */
type FieldsOf<U> = U extends unknown ? keyof U : never;

/** Fails, naming the odd ones, unless the document's names are the types'. */
type Same<Document, Types> = [Document] extends [Types]
  ? [Types] extends [Document]
    ? true
    : { onlyInApiTypes: Exclude<Types, Document> }
  : { onlyInOpenApi: Exclude<Document, Types> };
/** Fails, naming the odd ones, unless every name of A is in B. */
type Within<A, B> = [A] extends [B] ? true : { notFound: Exclude<A, B> };
type Ok<T extends true> = T;

export type SchemasMatch = [
  Ok<Same<Names<Schemas['Problem']>, keyof Api.Problem>>,
  Ok<Same<Names<Schemas['RecipeSummary']>, keyof Api.RecipeSummary>>,
  Ok<Same<Names<Schemas['RecipeVersion']>, keyof Api.RecipeVersion>>,
  Ok<Same<Names<Schemas['VersionSummary']>, keyof Api.VersionSummary>>,
  Ok<Same<Names<Schemas['CanonicalRecipe']>, keyof Api.CanonicalRecipe>>,
  Ok<Same<Names<Schemas['Measure']>, keyof Api.Measure>>,
  Ok<Same<Names<Schemas['MakeSummary']>, keyof Api.MakeSummary>>,
  Ok<Same<Names<Schemas['StoredMake']>, keyof Api.StoredMake>>,
  Ok<Same<Names<Schemas['Preview']>, keyof Api.Preview>>,
  Ok<Same<Names<Schemas['MakeDiff']>, keyof Api.MakeDiff>>,
  Ok<Same<Names<Schemas['PatchOperation']>, keyof Api.PatchOperation>>,
  Ok<Same<Names<Schemas['Difference']>, keyof Api.Difference>>,
  Ok<Same<Names<Schemas['DifferenceValues']>, keyof Api.Difference['difference']>>,
  Ok<Same<Names<Schemas['Differences']>, keyof Api.Differences>>,
  Ok<Same<Names<Schemas['Summary']>, keyof Api.Summary>>,
  // Every field any variant of the change has (op's values are strings to
  // the checker, so which variant has which is kept by reading).
  Ok<Same<Names<Variant<Schemas['Change']>>, FieldsOf<Api.Change>>>,
  Ok<Same<Names<Schemas['Insights']>, keyof Api.Insights>>,
  Ok<Same<Names<Schemas['IngredientInsight']>, keyof Api.IngredientInsight>>,
  Ok<Same<Names<Schemas['SubstitutionInsight']>, keyof Api.Insights['substitutions'][number]>>,
  Ok<Same<Names<Schemas['ScaleInsight']>, keyof Api.ScaleInsight>>,
  Ok<Same<Names<Schemas['StepInsight']>, keyof Api.StepInsight>>,
  Ok<Same<Names<Schemas['PeriodInsight']>, keyof Api.PeriodInsight>>,
  Ok<Same<Names<Schemas['WeekInsight']>, keyof Api.WeekInsight>>,
  Ok<Same<Names<Schemas['InsightsAcross']>, keyof Api.InsightsAcross>>,
  Ok<Same<Names<Schemas['IngredientAcross']>, keyof Api.IngredientAcross>>,
  Ok<Same<Names<Schemas['SubstitutionAcross']>, keyof Api.SubstitutionAcross>>,
  Ok<Same<Names<Schemas['StepAcross']>, keyof Api.StepAcross>>,
  Ok<Same<Names<Schemas['VersionShare']>, keyof Api.VersionShare>>,
  Ok<Same<Names<Schemas['StoredRejection']>, keyof Api.StoredRejection>>,
  Ok<Same<Names<Schemas['UploadRequest']>, keyof Api.UploadRequest>>,
  Ok<Same<Names<Schemas['UploadForm']>, keyof Api.UploadForm>>,
  Ok<Same<Names<Schemas['ImportRequest']>, keyof Api.ImportRequest>>,
  Ok<Same<Names<Schemas['Comparison']>, keyof Api.Comparison>>,
  Ok<Same<Names<Schemas['VersionAt']>, keyof Api.VersionAt>>,
  Ok<Same<Names<Schemas['Parent']>, keyof Api.Parent>>,
  Ok<Same<Names<Schemas['Ancestor']>, keyof Api.Ancestor>>,
  Ok<Same<Names<Schemas['Variant']>, keyof Api.Variant>>,
  Ok<Same<Names<Variant<Schemas['VersionSource']>>, FieldsOf<Api.VersionSource>>>,
  Ok<Same<Names<Schemas['Imported']>, keyof Api.Imported>>,
  // The seed reader takes more than the document's schema lists.
  Ok<Within<Names<Schemas['SeedDocument']>, keyof Api.SeedDocument>>,
  Ok<Within<Names<Schemas['SeedIngredient']>, keyof Api.SeedIngredient>>,
  Ok<Within<Names<Schemas['SeedStep']>, keyof Api.SeedStep>>,
];

/** The paths of the document that api.js's ReadPath and Writes stand for. */
export type PathsExist = Ok<
  Within<
    | '/recipes'
    | '/recipes/{recipeId}'
    | '/recipes/{recipeId}/versions'
    | '/recipes/{recipeId}/makes'
    | '/recipes/{recipeId}/makes/{makeId}'
    | '/recipes/{recipeId}/makes/{makeId}/differences'
    | '/recipes/{recipeId}/insights'
    | '/recipes/{recipeId}/diff'
    | '/rejections'
    | '/uploads'
    | '/imports'
    | '/compare'
    | '/insights'
    | '/dashboard/config.json',
    Paths
  >
>;
