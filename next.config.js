/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The custom server (server.ts) owns /api; Next serves the pages.
  typedRoutes: false,
  // PostgreSQL's synchronous client (db/engine/pg.ts) is a native addon, required at run time only when DATABASE_URL names PostgreSQL.
  serverExternalPackages: ["pg-native", "libpq"],
  // Keep builds within this 2-core machine and off the network.
  experimental: {
    cpus: 2,
  },
};

export default nextConfig;
