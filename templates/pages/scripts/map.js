// The map of the order and case forms (G2, L2): draw, edit, upload or type one area in
// SWEREF 99 TM (EPSG:3006). The form's textarea stays the one source of the selection, so the
// page works without this script; with it, every change asks the server for the fee (G3).
import 'ol/ol.css';
import Map from 'ol/Map.js';
import View from 'ol/View.js';
import Feature from 'ol/Feature.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import TopoJSON from 'ol/format/TopoJSON.js';
import LineString from 'ol/geom/LineString.js';
import Draw from 'ol/interaction/Draw.js';
import Modify from 'ol/interaction/Modify.js';
import TileLayer from 'ol/layer/Tile.js';
import VectorLayer from 'ol/layer/Vector.js';
import { register } from 'ol/proj/proj4.js';
import { get as getProjection } from 'ol/proj.js';
import VectorSource from 'ol/source/Vector.js';
import XYZ from 'ol/source/XYZ.js';
import { Fill, Stroke, Style } from 'ol/style.js';
import proj4 from 'proj4';
import shp from 'shpjs';

// EPSG:3006's definition and its area of use (the same bounds the API refuses outside of).
proj4.defs('EPSG:3006', '+proj=utm +zone=33 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs +type=crs');
register(proj4);
const SWEREF = getProjection('EPSG:3006');
const BOUNDS = [181896, 6101648, 1083214, 7689478];
SWEREF.setExtent([-1200000, 4700000, 2600000, 8500000]);
const GRID_STEP = 100_000;

const geojson = new GeoJSON();
const round = (n) => Math.round(n * 100) / 100;

/** Lines every 100 km in SWEREF 99 TM metres and the bounds of the grid system: the offline coordinate grid. */
function gridFeatures() {
  const lines = [];
  for (let e = 100_000; e <= 1_100_000; e += GRID_STEP)
    lines.push(new Feature(new LineString([[e, 6_100_000], [e, 7_700_000]])));
  for (let n = 6_100_000; n <= 7_700_000; n += GRID_STEP)
    lines.push(new Feature(new LineString([[100_000, n], [1_100_000, n]])));
  const [w, s, e, n] = BOUNDS;
  const bounds = new Feature(new LineString([[w, s], [e, s], [e, n], [w, n], [w, s]]));
  bounds.set('bounds', true);
  return [...lines, bounds];
}

/** GeoJSON in lon/lat (an upload, a shapefile read by shpjs) is brought to SWEREF 99 TM; metres stay. */
function toSweref(geometry) {
  const first = JSON.stringify(geometry.coordinates).match(/-?\d+(\.\d+)?/g)?.map(Number) ?? [];
  const lonLat = first.length >= 2 && Math.abs(first[0]) <= 180 && Math.abs(first[1]) <= 90;
  return geojson.readGeometry(geometry, lonLat ? { dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3006' } : {});
}

/** The polygons of an uploaded or typed GeoJSON object, as one Polygon or MultiPolygon geometry object. */
function polygonsOf(json) {
  const list = Array.isArray(json) ? json : [json];
  const geometries = list.flatMap((j) =>
    j.type === 'FeatureCollection' ? j.features.map((f) => f.geometry) : j.type === 'Feature' ? [j.geometry] : [j],
  );
  const polygons = geometries
    .filter((g) => g && (g.type === 'Polygon' || g.type === 'MultiPolygon'))
    .flatMap((g) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates));
  if (polygons.length === 0) return undefined;
  return polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0] } : { type: 'MultiPolygon', coordinates: polygons };
}

function setUp(element) {
  const form = element.closest('form');
  const textarea = document.getElementById(element.dataset.target);
  const fileInput = document.getElementById(element.dataset.file);
  const status = document.getElementById(element.dataset.status);
  element.hidden = false;
  for (const hint of document.querySelectorAll('#map-hint')) hint.hidden = false;

  const drawn = new VectorSource();
  const layers = [];
  if (element.dataset.xyz) layers.push(new TileLayer({ source: new XYZ({ url: element.dataset.xyz }) }));
  layers.push(
    new VectorLayer({
      source: new VectorSource({ url: element.dataset.basemap, format: new TopoJSON({ layers: ['countries'] }) }),
      style: new Style({ fill: new Fill({ color: '#f4f1e8' }), stroke: new Stroke({ color: '#6b6b6b', width: 1 }) }),
    }),
    new VectorLayer({
      source: new VectorSource({ features: gridFeatures() }),
      style: (f) =>
        new Style({
          stroke: f.get('bounds')
            ? new Stroke({ color: '#8a2be2', width: 1.5, lineDash: [6, 4] })
            : new Stroke({ color: 'rgba(0, 60, 120, 0.35)', width: 1 }),
        }),
    }),
    new VectorLayer({
      source: drawn,
      style: new Style({ fill: new Fill({ color: 'rgba(0, 90, 200, 0.2)' }), stroke: new Stroke({ color: '#0050b4', width: 2 }) }),
    }),
  );
  const map = new Map({
    target: element,
    layers,
    view: new View({ projection: SWEREF, center: [600_000, 6_900_000], resolution: 2_000, extent: [-200_000, 5_900_000, 1_500_000, 7_900_000] }),
    keyboardEventTarget: element,
  });

  /** Shows a geometry object (EPSG:3006) on the map and zooms to it. */
  function show(geometry, fit) {
    drawn.clear();
    if (!geometry) return;
    const g = toSweref(geometry);
    drawn.addFeature(new Feature(g));
    if (fit) map.getView().fit(g.getExtent(), { padding: [40, 40, 40, 40], maxZoom: 14 });
  }
  /** Writes the drawn area into the form (metres, to the centimetre) and asks for the fee. */
  function write() {
    const features = drawn.getFeatures();
    const geometry = features.length ? geojson.writeGeometryObject(features[0].getGeometry()) : undefined;
    if (geometry)
      geometry.coordinates = JSON.parse(JSON.stringify(geometry.coordinates), (_k, v) => (typeof v === 'number' ? round(v) : v));
    textarea.value = geometry ? JSON.stringify(geometry) : '';
    form.dispatchEvent(new Event('selectionchange'));
  }

  const draw = new Draw({ source: drawn, type: 'Polygon' });
  draw.on('drawstart', () => drawn.clear());
  draw.on('drawend', () => setTimeout(write));
  const modify = new Modify({ source: drawn });
  modify.on('modifyend', write);
  map.addInteraction(draw);
  map.addInteraction(modify);

  textarea.addEventListener('change', () => {
    const text = textarea.value.trim();
    if (text.startsWith('{')) {
      try {
        show(polygonsOf(JSON.parse(text)), true);
      } catch {
        drawn.clear();
      }
    } else {
      const pairs = text.split(/\n/).map((l) => l.trim().split(/[\s,;]+/).map(Number)).filter((p) => p.length === 2 && p.every(Number.isFinite));
      show(pairs.length >= 3 ? { type: 'Polygon', coordinates: [[...pairs, pairs[0]]] } : undefined, true);
    }
    form.dispatchEvent(new Event('selectionchange'));
  });

  fileInput?.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    try {
      const json = /\.zip$/i.test(file.name) ? await shp(await file.arrayBuffer()) : JSON.parse(await file.text());
      const polygons = polygonsOf(json);
      if (!polygons) throw new Error('no polygon');
      show(polygons, true);
      write();
      status.textContent = `${file.name}: ✓`;
      // The area is in the textarea now; the file itself need not be posted.
      fileInput.value = '';
    } catch (err) {
      status.textContent = `${file.name}: ${err.message}`;
    }
  });

  if (textarea.value.trim()) textarea.dispatchEvent(new Event('change'));
}

/** The fee of the form as it stands, from the server's quote (the API's own figure); a refusal blocks submitting. */
function quoting(form) {
  const target = document.getElementById('fee');
  const submit = form.querySelector('button[type=submit]');
  let pending;
  let sent = 0;
  async function quote() {
    const mine = ++sent;
    const fields = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (typeof value === 'string') fields.append(name, value);
    // Nothing to price until there is an area (the textarea the map writes to).
    const area = document.getElementById(form.querySelector('[data-map]')?.dataset.target ?? 'selection');
    if (!area?.value.trim()) return;
    const answer = await fetch(form.dataset.quote, { method: 'POST', body: fields, credentials: 'same-origin' });
    const html = await answer.text();
    if (mine !== sent) return;
    target.innerHTML = html;
    submit.disabled = !answer.ok;
    form.dataset.quoted = answer.ok ? 'ok' : 'refused';
  }
  const later = () => {
    clearTimeout(pending);
    pending = setTimeout(() => void quote(), 150);
  };
  form.addEventListener('selectionchange', later);
  form.addEventListener('change', (e) => {
    if (e.target.type !== 'file' && e.target.tagName !== 'TEXTAREA') later();
  });
  const shipping = document.getElementById('shipping');
  const physical = () => form.querySelector('input[name=deliveryMethod][value=physical_media]')?.checked ?? false;
  if (shipping) {
    const toggle = () => (shipping.hidden = !physical());
    form.addEventListener('change', toggle);
    toggle();
  }
}

for (const element of document.querySelectorAll('[data-map]')) setUp(element);
for (const form of document.querySelectorAll('form[data-quote]')) quoting(form);
