import type { z } from 'zod';

/**
 * One section of the configuration: the variables it reads (a zod object, the one source of their types) and how
 * it builds its part of the Config from them. A build adds every problem it finds to `problems` instead of
 * throwing, so one error names every bad setting of every section.
 */
export interface Section<Shape extends z.ZodRawShape = z.ZodRawShape, Built = unknown> {
  schema: z.ZodObject<Shape>;
  build(vars: z.output<z.ZodObject<Shape>>, problems: string[], env: NodeJS.ProcessEnv): Built;
}

export function defineSection<Shape extends z.ZodRawShape, Built>(
  schema: z.ZodObject<Shape>,
  build: Section<Shape, Built>['build'],
): Section<Shape, Built> {
  return { schema, build };
}
