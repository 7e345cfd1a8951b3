CREATE TABLE IF NOT EXISTS "labels" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"post_id" uuid NOT NULL,
	"project_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"event_time" timestamp with time zone NOT NULL,
	"model" text DEFAULT '' NOT NULL,
	"name" text NOT NULL,
	"value" text NOT NULL,
	"source" text DEFAULT 'human' NOT NULL,
	"sample" text DEFAULT 'uniform' NOT NULL,
	"labeller" text NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "labels" ADD CONSTRAINT "labels_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "labels_one_per_person_idx" ON "labels" USING btree ("project_id","event_id","name","source","labeller");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "labels_project_time_idx" ON "labels" USING btree ("project_id","event_time");
