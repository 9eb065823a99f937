import type { Area } from '../domain/geometry';

/** G10: what production reports of one data file: the objects of each table in it. */
export interface Statistik {
  tabellnamn: string;
  antalObjekt: number;
}

/** G10: a data file of a delivery, as `uttag.json` describes it. */
export interface DataFile {
  /** The file's title in the delivery (`filnamn`). */
  name: string;
  statistik: Statistik[];
}

/** The file every delivery lists beside its data files (G10). */
export const UTTAG_FILE = 'uttag.json';

/**
 * `uttag.json` (G10): a FeatureCollection in EPSG:3006 with one feature per data file, its
 * geometry the delivered area and its properties the file's `filnamn` and `statistik`. Fed by
 * what production reports per file, so it holds for any production system.
 */
export function uttagJson(area: Area, files: DataFile[]) {
  return {
    type: 'FeatureCollection' as const,
    crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::3006' } },
    features: files.map((f) => ({
      type: 'Feature' as const,
      geometry: area,
      properties: { filnamn: f.name, statistik: f.statistik.map((s) => ({ ...s })) },
    })),
  };
}
