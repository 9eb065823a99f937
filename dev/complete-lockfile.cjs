// The npm registry reachable from this workplace does not serve every platform build of
// packages such as @swc/core or rollup (the macOS and Windows ones are missing), so
// `npm install` leaves them out of package-lock.json and `npm ci` then refuses the lock.
// This adds the missing optional platform packages as entries that `npm ci` skips when
// they cannot be fetched. Run it after every `npm install` that changes the lock.
const fs = require('fs');
const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8'));
const packages = lock.packages;
let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    if (!packages[`node_modules/${name}`] && !packages[`${path}/node_modules/${name}`]) {
      packages[`node_modules/${name}`] = { version: range.replace(/^[\^~]/, ''), optional: true };
      added++;
    }
  }
}
fs.writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: ${added} optional platform packages recorded`);
