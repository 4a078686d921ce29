/**
 * The template marketplace: the built-in catalog, listing and installing templates, publishing
 * flows as templates, updating installed flows, and importing Huginn scenarios.
 */
export { ensureCatalogSynced, loadCatalogFiles, syncCatalogTemplates, type CatalogSyncResult } from './catalog';
export {
  getTemplate,
  installTemplate,
  installTemplateInput,
  listTemplates,
  listTemplatesInput,
  templateCategories,
  type TemplateDetail,
  type TemplateListItem,
} from './service';
export {
  applyTemplateUpdate,
  applyTemplateUpdateInput,
  diffGraphs,
  listTemplateUpdates,
  previewTemplateUpdate,
  templateUpdateInfo,
  type GraphDiff,
  type TemplateUpdateInfo,
  type TemplateUpdatePreview,
} from './updates';
export { publishTemplate, publishTemplateInput, type PublishResult } from './publish';
export { convertHuginnScenario, importHuginnInput, importHuginnScenario, type HuginnImportReport } from './huginn/import';
