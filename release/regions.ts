/**
 * The regions the layer is published to, from release/layer-regions.txt: one region a line,
 * `#` comments and blank lines ignored.
 */

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

/**
 * @throws Error naming each line that is not a region name, a region listed twice, or an empty list
 */
export function parseRegions(text: string): string[] {
  const regions: string[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    const region = line.replace(/#.*$/, '').trim();
    if (region === '') return;
    if (!REGION.test(region)) problems.push(`line ${i + 1}: ${JSON.stringify(region)} is not a region name (e.g. eu-west-1)`);
    else if (regions.includes(region)) problems.push(`line ${i + 1}: ${region} is listed twice`);
    else regions.push(region);
  });
  if (problems.length > 0) throw new Error(`the regions file: ${problems.join('; ')}`);
  if (regions.length === 0) throw new Error('the regions file lists no region');
  return regions;
}
