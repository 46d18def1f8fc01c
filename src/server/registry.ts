/** The models a server holds, by id, and which one answers by default. */
import { basename } from 'node:path';
import type { ServedModel as ModelPredictor } from '../agents/predictor.js';
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';

export interface RegisteredModel {
  id: string;
  predictor: ModelPredictor;
}

export class ModelRegistry {
  private readonly models = new Map<string, ModelPredictor>();
  private activeId: string | null = null;

  /** Add a model under an id derived from its directory name (made unique); the first one added is active. */
  add(predictor: ModelPredictor, id?: string): string {
    const base = (id ?? basename(predictor.info.directory)).replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 60) || 'model';
    let unique = base;
    for (let k = 2; this.models.has(unique); k++) unique = `${base}-${k}`;
    this.models.set(unique, predictor);
    this.activeId ??= unique;
    return unique;
  }

  get active(): string | null {
    return this.activeId;
  }

  get size(): number {
    return this.models.size;
  }

  /** The model with `id`, or the active one. */
  get(id?: string): RegisteredModel {
    const key = id ?? this.activeId;
    const predictor = key === null ? undefined : this.models.get(key);
    if (key === null || !predictor) {
      throw new GrpoTraderError(ErrorCodes.notFound, key === null ? 'no model is loaded' : `no model "${key}" (GET /v1/models lists them)`, { location: { field: 'model', ...(key === null ? {} : { value: key }) } });
    }
    return { id: key, predictor };
  }

  activate(id: string): void {
    this.get(id);
    this.activeId = id;
  }

  list(): RegisteredModel[] {
    return [...this.models].map(([id, predictor]) => ({ id, predictor }));
  }

  dispose(): void {
    for (const predictor of this.models.values()) predictor.dispose();
    this.models.clear();
    this.activeId = null;
  }
}
