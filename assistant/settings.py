"""The product's one configuration object, read from the environment (prefix ``OCA_``) or a ``.env`` file."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OCA_", env_file=".env", extra="ignore")

    onet_dir: Path = Field(
        Path("../shared/onet/db_29_3_text"),
        description="The O*NET text release (the unzipped db_XX_X_text folder).",
    )
    taxonomy_dir: Path = Field(
        Path("../shared/onet/taxonomy"),
        description="SOC 2018 structure, direct match titles and O*NET-SOC crosswalks.",
    )
    home: Path = Field(Path(".oca"), description="Where the index, caches and database live.")
    chroma_url: str | None = Field(None, description="Use a Chroma server (http://host:port) instead of the on-disk index.")

    embedder: str = Field("minilm", description="'minilm' (packaged, offline; queries through its int8-activation "
                          "copy), 'minilm-float' (queries through the packaged model too), 'minilm-int8-rows' (the "
                          "index embedded with the int8 copy as well) or 'openai' (OpenAI-compatible endpoint).")
    embedding_model: str | None = Field(None, description="Model name for an OpenAI-compatible embeddings endpoint.")
    embedding_base_url: str | None = None

    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_api_key_file: Path | None = Field(
        None, description="A file holding the API key (a mounted secret); read when OCA_LLM_API_KEY is not set."
    )
    llm_timeout_s: float = 30.0

    database_url: str | None = Field(
        None, description="SQLAlchemy URL of the database (e.g. postgresql+psycopg://...); default: SQLite under home."
    )

    @model_validator(mode="after")
    def _key_from_file(self) -> Settings:
        if self.llm_api_key is None and self.llm_api_key_file is not None:
            try:
                key = self.llm_api_key_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ValueError(f"OCA_LLM_API_KEY_FILE {self.llm_api_key_file} cannot be read: {exc.strerror}") from None
            self.llm_api_key = SecretStr(key) if key else None
        return self

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'oca.sqlite3').resolve()}"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
