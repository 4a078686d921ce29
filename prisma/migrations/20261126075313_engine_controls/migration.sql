-- AlterEnum
ALTER TYPE "NodeRunStatus" ADD VALUE 'retrying';

-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "dedupKey" TEXT,
ADD COLUMN     "rerunOf" UUID;

-- AlterTable
ALTER TABLE "NodeRun" ADD COLUMN     "attempts" JSONB NOT NULL DEFAULT '[]';

-- AlterTable
ALTER TABLE "PendingStep" ADD COLUMN     "backoffMs" INTEGER NOT NULL DEFAULT 1000,
ADD COLUMN     "maxAttempts" INTEGER NOT NULL DEFAULT 3,
ADD COLUMN     "maxDelayMs" INTEGER NOT NULL DEFAULT 300000;

-- CreateIndex
CREATE INDEX "Run_status_idx" ON "Run"("status");

-- CreateIndex
CREATE UNIQUE INDEX "Run_flowId_dedupKey_key" ON "Run"("flowId", "dedupKey");
