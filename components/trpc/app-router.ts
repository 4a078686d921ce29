// The one place the web app names the server's router type (types only: nothing from server/ is bundled).
export type { AppRouter } from '@/server/api/root';
