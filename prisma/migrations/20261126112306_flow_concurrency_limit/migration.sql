-- AlterTable
ALTER TABLE "Flow" ADD COLUMN     "maxConcurrentRuns" INTEGER;

-- AlterTable
ALTER TABLE "PendingStep" ADD COLUMN     "heldFlowId" UUID;

-- Partial indexes and the range check are not expressible in schema.prisma (see the models' comments).
ALTER TABLE "Flow" ADD CONSTRAINT "Flow_maxConcurrentRuns_range" CHECK ("maxConcurrentRuns" IS NULL OR "maxConcurrentRuns" BETWEEN 1 AND 1000);

-- Which flows have runs waiting for a slot, and each flow's waiting runs oldest first.
CREATE INDEX "PendingStep_heldFlowId_idx" ON "PendingStep"("heldFlowId", "id") WHERE "heldFlowId" IS NOT NULL;

-- Counting a flow's runs in flight without reading its history.
CREATE INDEX "Run_flowId_in_flight_idx" ON "Run"("flowId") WHERE "status" IN ('queued', 'running');
