/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The custom server (server.ts) owns /api; Next serves the pages.
  typedRoutes: false,
  // Keep builds within this 2-core machine and off the network.
  experimental: {
    cpus: 2,
  },
};

export default nextConfig;
