// The bare Next.js page the dashboard's JavaScript is compared with (bench/pages.ts): the same next
// and react from the repository's node_modules, built the same way (next build, Turbopack).
export const metadata = { title: "Hello" };

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
