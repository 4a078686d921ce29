-- Templates marketplace (Template columns, TemplateVersion, Flow.template*). This migration was
-- generated while the monitoring schema changes were also in schema.prisma, so it creates their
-- tables and plain indexes too (RetentionPolicy, AlertRule, AlertIncident, Run/NodeRun indexes);
-- 20261126080406_monitoring adds the hand-written indexes on top.

-- CreateEnum
CREATE TYPE "TemplateVisibility" AS ENUM ('workspace', 'everyone');

-- DropIndex
DROP INDEX "Run_workspaceId_createdAt_idx";

-- AlterTable
ALTER TABLE "Flow" ADD COLUMN     "templateCredentials" JSONB,
ADD COLUMN     "templateId" UUID,
ADD COLUMN     "templateInputs" JSONB,
ADD COLUMN     "templateVersion" INTEGER;

-- AlterTable
ALTER TABLE "Template" ADD COLUMN     "agentTypes" TEXT[],
ADD COLUMN     "credentials" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "inputs" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "summary" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "visibility" "TemplateVisibility" NOT NULL DEFAULT 'everyone';

-- Before this migration a template with a workspace was private to it, and stays so.
UPDATE "Template" SET "visibility" = 'workspace' WHERE "workspaceId" IS NOT NULL;

-- CreateTable
CREATE TABLE "TemplateVersion" (
    "id" UUID NOT NULL,
    "templateId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "graph" JSONB NOT NULL,
    "credentials" JSONB NOT NULL DEFAULT '[]',
    "inputs" JSONB NOT NULL DEFAULT '[]',
    "changelog" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TemplateVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RetentionPolicy" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "flowId" UUID,
    "keepDays" INTEGER,
    "keepFailedDays" INTEGER,
    "maxPayloadBytes" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RetentionPolicy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertRule" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "flowId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "condition" JSONB NOT NULL,
    "delivery" JSONB NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AlertRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertIncident" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "ruleId" UUID NOT NULL,
    "flowId" UUID NOT NULL,
    "summary" TEXT NOT NULL,
    "openedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolvedAt" TIMESTAMP(3),
    "resolvedSummary" TEXT,
    "notifiedAt" TIMESTAMP(3),
    "resolveNotifiedAt" TIMESTAMP(3),
    "notifyAttempts" INTEGER NOT NULL DEFAULT 0,
    "deliveryError" TEXT,

    CONSTRAINT "AlertIncident_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "TemplateVersion_templateId_version_key" ON "TemplateVersion"("templateId", "version");

-- CreateIndex
CREATE INDEX "RetentionPolicy_flowId_idx" ON "RetentionPolicy"("flowId");

-- CreateIndex
CREATE UNIQUE INDEX "RetentionPolicy_workspaceId_flowId_key" ON "RetentionPolicy"("workspaceId", "flowId");

-- CreateIndex
CREATE INDEX "AlertRule_workspaceId_flowId_idx" ON "AlertRule"("workspaceId", "flowId");

-- CreateIndex
CREATE INDEX "AlertRule_flowId_enabled_idx" ON "AlertRule"("flowId", "enabled");

-- CreateIndex
CREATE INDEX "AlertIncident_ruleId_openedAt_idx" ON "AlertIncident"("ruleId", "openedAt" DESC);

-- CreateIndex
CREATE INDEX "AlertIncident_workspaceId_openedAt_idx" ON "AlertIncident"("workspaceId", "openedAt" DESC);

-- CreateIndex
CREATE INDEX "Flow_templateId_idx" ON "Flow"("templateId");

-- CreateIndex
CREATE INDEX "Run_workspaceId_createdAt_id_idx" ON "Run"("workspaceId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Run_workspaceId_status_createdAt_id_idx" ON "Run"("workspaceId", "status", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Run_flowId_finishedAt_idx" ON "Run"("flowId", "finishedAt");

-- CreateIndex
CREATE INDEX "NodeRun_workspaceId_status_startedAt_idx" ON "NodeRun"("workspaceId", "status", "startedAt");

-- CreateIndex
CREATE INDEX "Template_workspaceId_idx" ON "Template"("workspaceId");

-- AddForeignKey
ALTER TABLE "Flow" ADD CONSTRAINT "Flow_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "Template"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TemplateVersion" ADD CONSTRAINT "TemplateVersion_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "Template"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RetentionPolicy" ADD CONSTRAINT "RetentionPolicy_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RetentionPolicy" ADD CONSTRAINT "RetentionPolicy_flowId_fkey" FOREIGN KEY ("flowId") REFERENCES "Flow"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertRule" ADD CONSTRAINT "AlertRule_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertRule" ADD CONSTRAINT "AlertRule_flowId_fkey" FOREIGN KEY ("flowId") REFERENCES "Flow"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertIncident" ADD CONSTRAINT "AlertIncident_ruleId_fkey" FOREIGN KEY ("ruleId") REFERENCES "AlertRule"("id") ON DELETE CASCADE ON UPDATE CASCADE;
