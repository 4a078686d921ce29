/**
 * The template marketplace: the built-in catalog, listing and installing templates, publishing
 * flows as templates, updating installed flows, and importing Huginn scenarios.
 */
export { ensureCatalogSynced, loadCatalogFiles, syncCatalogTemplates, type CatalogSyncResult } from './catalog';
export {
  applyTemplateUpdate,
  applyTemplateUpdateInput,
  diffGraphs,
  getTemplate,
  installTemplate,
  installTemplateInput,
  listTemplates,
  listTemplatesInput,
  listTemplateUpdates,
  templateCategories,
  templateUpdateInfo,
  type GraphDiff,
  type TemplateDetail,
  type TemplateListItem,
  type TemplateUpdateInfo,
} from './service';
export { publishTemplate, publishTemplateInput, type PublishResult } from './publish';
export { convertHuginnScenario, importHuginnInput, importHuginnScenario, type HuginnImportReport } from './huginn/import';
