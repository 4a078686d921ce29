import type { RouterOutputs } from '../trpc/types';

export type TemplateListItem = RouterOutputs['templates']['list'][number];
export type TemplateDetail = RouterOutputs['templates']['get'];
export type TemplateCredentialNeed = TemplateDetail['credentials'][number];
export type TemplateInputNeed = TemplateDetail['inputs'][number];
export type TemplateUpdateInfo = RouterOutputs['templates']['updateInfo'];
export type TemplateUpdateItem = RouterOutputs['templates']['updates'][number];
export type PublishResult = RouterOutputs['templates']['publish'];
export type GraphDiff = RouterOutputs['templates']['applyUpdate']['diff'];
export type HuginnImportResult = RouterOutputs['templates']['importHuginn'];
export type HuginnReport = HuginnImportResult['report'];
export type TemplateSort = 'popular' | 'new' | 'name';
