import { z } from 'zod';

/** The shape of content/course.yaml and each module.yaml; unknown keys are refused so typos surface. */

const kebab = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const courseFileSchema = z
  .object({
    title: z.string().min(1),
    slug: z.string().regex(kebab, 'must be kebab-case, e.g. rust-systems-engineering'),
    summary: z.string().min(1),
    phases: z
      .array(z.object({ number: z.number().int().positive(), name: z.string().min(1) }).strict())
      .min(1),
    modules: z
      .array(z.string().regex(/^module-\d{2}-[a-z0-9-]+$/, 'must name a folder like module-01-core-rust'))
      .min(1),
  })
  .strict();

export const moduleFileSchema = z
  .object({
    number: z.number().int().positive(),
    slug: z.string().regex(kebab, 'must be kebab-case, e.g. kv-store'),
    title: z.string().min(1).max(80),
    phase: z.number().int().positive(),
    weeks: z.number().int().min(1).max(8),
    summary: z.string().min(1).max(600),
    objectives: z.array(z.string().min(1)).min(1),
    lectures: z
      .array(
        z
          .object({
            title: z.string().min(1),
            path: z.string().regex(/^lectures\/[\w.-]+\.md$/, 'must be a markdown file under lectures/, e.g. lectures/01-intro.md'),
          })
          .strict(),
      )
      .min(1),
    exercises: z
      .array(
        z
          .object({
            id: z.string().regex(/^ex\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must look like ex01-lru-cache'),
            title: z.string().min(1),
            summary: z.string().min(1),
            points: z.number().int().min(10).max(500),
            check: z.string().min(1).max(100),
            /** How many official tests the reference solution passes (ignored ones not counted). */
            tests: z.number().int().min(1),
            /** Whether a learner may add crates.io dependencies to this exercise's Cargo.toml; default no. */
            extraDependencies: z.boolean().optional(),
            /**
             * A later milestone of a project: the id of the exercise (same module) whose crate it continues, and the
             * official test targets of that crate it counts. The crate's own exercise counts the other targets.
             */
            crate: z.string().regex(/^ex\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be the id of an exercise of this module').optional(),
            targets: z.array(z.string().regex(/^[A-Za-z0-9_]+$/, 'must be a test target name, e.g. milestone3')).min(1).optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export type CourseFile = z.infer<typeof courseFileSchema>;
export type ModuleFile = z.infer<typeof moduleFileSchema>;
