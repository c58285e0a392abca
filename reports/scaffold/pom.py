"""A service's pom.xml from the monolith's: an executable artifact and a health endpoint."""

from __future__ import annotations

ACTUATOR = (
    "    <dependency>\n"
    "      <!-- Added by strangler-planner: /health for the HEALTHCHECK and the facade. -->\n"
    "      <groupId>org.springframework.boot</groupId>\n"
    "      <artifactId>spring-boot-starter-actuator</artifactId>\n"
    "    </dependency>\n"
)
BOOT_PLUGIN = (
    "      <plugin>\n"
    "        <!-- Added by strangler-planner: repackage into an executable artifact. -->\n"
    "        <groupId>org.springframework.boot</groupId>\n"
    "        <artifactId>spring-boot-maven-plugin</artifactId>\n"
    "        <executions>\n"
    "          <execution>\n"
    "            <goals><goal>repackage</goal></goals>\n"
    "          </execution>\n"
    "        </executions>\n"
    "      </plugin>\n"
)


def service_pom(
    text: str, boot: bool, plugins: set[str], dependencies: set[str]
) -> tuple[str, list[str]]:
    """The pom with Spring Boot's actuator and repackaging plugin added when it lacks them
    (Spring Boot modules only), and the README notes saying what was added."""
    notes: list[str] = []
    if not boot or "</project>" not in text:
        return text, notes
    if "spring-boot-starter-actuator" not in dependencies:
        if "</dependencies>" in text:
            text = _before_last(text, "</dependencies>", ACTUATOR)
        else:
            text = _before_last(
                text, "</project>", f"  <dependencies>\n{ACTUATOR}  </dependencies>\n"
            )
        notes.append("pom.xml: added `spring-boot-starter-actuator` (the `/health` endpoint)")
    if "spring-boot-maven-plugin" not in plugins:
        if "</plugins>" in text:
            text = _before_last(text, "</plugins>", BOOT_PLUGIN)
        elif "<build>" in text:
            text = text.replace(
                "<build>", f"<build>\n    <plugins>\n{BOOT_PLUGIN}    </plugins>", 1
            )
        else:
            text = _before_last(
                text,
                "</project>",
                f"  <build>\n    <plugins>\n{BOOT_PLUGIN}    </plugins>\n  </build>\n",
            )
        notes.append(
            "pom.xml: added `spring-boot-maven-plugin` (repackage: `java -jar` runs the artifact)"
        )
    return text, notes


def _before_last(text: str, marker: str, insert: str) -> str:
    """`insert` (whole lines) before the line holding the last `marker`, or right before the
    marker when other text precedes it on its line."""
    index = text.rfind(marker)
    start = text.rfind("\n", 0, index) + 1
    if text[start:index].strip():
        return text[:index] + "\n" + insert + text[index:]
    return text[:start] + insert + text[start:]
