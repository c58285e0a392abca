"""Container registries (Docker Hub, Harbor, ECR, GHCR, GitLab): image names and login steps."""

from __future__ import annotations

from dataclasses import dataclass

AWS_CLI_IMAGE = "amazon/aws-cli:2.18.10"


@dataclass(frozen=True)
class Registry:
    """Where images go and how a CI job logs in; names of variables and secrets, never values."""

    name: str  # dockerhub | harbor | ecr | ghcr | gitlab
    title: str
    prefix: str  # shell expression of the image prefix (no trailing slash)
    login: tuple[str, ...]  # shell lines logging in, reading only the variables below
    variables: tuple[str, ...]  # plain settings the CI provides (names)
    secrets: tuple[str, ...]  # protected secrets / credential ids the CI provides (names)
    example: str  # a literal prefix for manifests that cannot read variables


def _password_stdin(secret: str, user: str, host: str) -> str:
    return f'printf \'%s\' "${secret}" | docker login "{host}" --username "{user}" --password-stdin'


def registry_for(name: str, ci: str) -> Registry:
    """The registry `name` as the CI system `ci` (github | gitlab | jenkins) logs in to it."""
    if name == "dockerhub":
        return Registry(
            name,
            "Docker Hub",
            "docker.io/$DOCKERHUB_NAMESPACE",
            (_password_stdin("DOCKERHUB_TOKEN", "$DOCKERHUB_USERNAME", "docker.io"),),
            ("DOCKERHUB_NAMESPACE",),
            ("DOCKERHUB_USERNAME", "DOCKERHUB_TOKEN"),
            "docker.io/example-team",
        )
    if name == "harbor":
        return Registry(
            name,
            "Harbor",
            "$HARBOR_HOST/$HARBOR_PROJECT",
            (_password_stdin("HARBOR_ROBOT_TOKEN", "$HARBOR_ROBOT_USERNAME", "$HARBOR_HOST"),),
            ("HARBOR_HOST", "HARBOR_PROJECT"),
            ("HARBOR_ROBOT_USERNAME", "HARBOR_ROBOT_TOKEN"),
            "harbor.example.com/strangler",
        )
    if name == "ecr":
        host = "$AWS_ACCOUNT_ID.dkr.ecr.$AWS_REGION.amazonaws.com"
        return Registry(
            name,
            "Amazon ECR",
            host,
            (
                # The AWS CLI in its pinned image: works on any runner that has docker.
                f"docker run --rm -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY {AWS_CLI_IMAGE}"
                ' ecr get-login-password --region "$AWS_REGION"'
                f' | docker login "{host}" --username AWS --password-stdin',
            ),
            ("AWS_ACCOUNT_ID", "AWS_REGION"),
            ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
        )
    if name == "ghcr":
        if ci == "github":
            # The job's own GITHUB_TOKEN (permission packages: write): nothing to store.
            login = _password_stdin("GITHUB_TOKEN", "$GITHUB_ACTOR", "ghcr.io")
            return Registry(
                name,
                "GitHub Container Registry",
                "ghcr.io/$GHCR_OWNER",
                (login,),
                ("GHCR_OWNER",),
                ("GITHUB_TOKEN",),
                "ghcr.io/example-org",
            )
        return Registry(
            name,
            "GitHub Container Registry",
            "ghcr.io/$GHCR_OWNER",
            (_password_stdin("GHCR_TOKEN", "$GHCR_USERNAME", "ghcr.io"),),
            ("GHCR_OWNER",),
            ("GHCR_USERNAME", "GHCR_TOKEN"),
            "ghcr.io/example-org",
        )
    if name == "gitlab":
        if ci == "gitlab":
            # GitLab's predefined job variables: the job token, nothing to store.
            return Registry(
                name,
                "GitLab container registry",
                "$CI_REGISTRY_IMAGE",
                (_password_stdin("CI_REGISTRY_PASSWORD", "$CI_REGISTRY_USER", "$CI_REGISTRY"),),
                (),
                (),
                "registry.gitlab.com/example-group/example-project",
            )
        return Registry(
            name,
            "GitLab container registry",
            "registry.gitlab.com/$GITLAB_PROJECT_PATH",
            (
                _password_stdin(
                    "GITLAB_DEPLOY_TOKEN", "$GITLAB_DEPLOY_TOKEN_USERNAME", "registry.gitlab.com"
                ),
            ),
            ("GITLAB_PROJECT_PATH",),
            ("GITLAB_DEPLOY_TOKEN_USERNAME", "GITLAB_DEPLOY_TOKEN"),
            "registry.gitlab.com/example-group/example-project",
        )
    raise ValueError(f"unknown registry {name!r}")


def image_example(registry: Registry, slug: str) -> str:
    """A literal image name for manifests (the CI sets the real one at deploy time)."""
    return f"{registry.example}/{slug}"
