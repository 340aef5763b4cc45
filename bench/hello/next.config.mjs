/** @type {import('next').NextConfig} */
const config = { reactStrictMode: true, poweredByHeader: false, experimental: { cpus: 2 } };
export default config;
